// Applies a provider's attribute mapping and condition to verified claims, as Workload
// Identity Federation does: mapped `google.subject` (≤ 127 bytes) and `attribute.*`, then
// the condition over `assertion`, `google` and `attribute`.
import {
  CelError,
  compileCel,
  evaluateCondition,
  toCelValue,
  type CelValue,
} from '../cel/index.js';
import type { JsonObject } from '../attestation/jwt.js';
import type { ProviderModel } from '../model.js';
import { invalidRequest, MESSAGES, StsError } from './oauth-error.js';

export const MAX_SUBJECT_BYTES = 127;

export interface MappedIdentity {
  readonly subject: string;
  readonly attributes: Readonly<Record<string, string>>;
}

// Maps claims through the provider; throws StsError (invalid_request / unauthorized_client).
export function mapIdentity(provider: ProviderModel, claims: JsonObject): MappedIdentity {
  const assertion = toCelValue(claims);
  const google: Record<string, CelValue> = {};
  const attribute: Record<string, CelValue> = {};
  for (const [target, expression] of Object.entries(provider.attributeMapping)) {
    let value: CelValue;
    try {
      value = compileCel(expression).evaluate({ assertion });
    } catch (error) {
      const detail = error instanceof CelError ? error.message : String(error);
      throw invalidRequest(`Failed to evaluate the attribute mapping for [${target}]: ${detail}.`);
    }
    const dot = target.indexOf('.');
    const scope = target.slice(0, dot);
    if (scope === 'google') google[target.slice(dot + 1)] = value;
    else attribute[target.slice(dot + 1)] = value;
  }
  const subject = google.subject;
  if (typeof subject !== 'string' || subject === '') {
    throw invalidRequest('The mapped attribute google.subject must be a non-empty string.');
  }
  if (Buffer.byteLength(subject) > MAX_SUBJECT_BYTES) throw invalidRequest(MESSAGES.subjectTooLong);
  if (provider.attributeCondition !== undefined && provider.attributeCondition.trim() !== '') {
    let allowed = false;
    try {
      const program = compileCel(provider.attributeCondition);
      allowed = evaluateCondition(program, { assertion, google, attribute });
    } catch {
      allowed = false;
    }
    if (!allowed) throw new StsError(400, 'unauthorized_client', MESSAGES.conditionRejected);
  }
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(attribute)) {
    if (typeof value === 'string') attributes[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean')
      attributes[name] = String(value);
  }
  return { subject, attributes };
}

// Checks a mapping and condition compile (config load time); throws CelError otherwise.
export function validateProviderExpressions(provider: ProviderModel): void {
  for (const [target, expression] of Object.entries(provider.attributeMapping)) {
    // Google refuses other keys when the provider is created: custom attribute names are
    // [a-z0-9_]{1,100} (no capitals, no dashes).
    if (!/^(google\.[a-z_]+|attribute\.[a-z0-9_]{1,100})$/.test(target)) {
      throw new CelError(
        `attribute mapping key "${target}" must be google.NAME or attribute.NAME with NAME of 1 to 100 characters [a-z0-9_]`,
      );
    }
    compileCel(expression);
  }
  if (provider.attributeMapping['google.subject'] === undefined) {
    throw new CelError('attribute mapping must map google.subject');
  }
  if (provider.attributeCondition !== undefined) compileCel(provider.attributeCondition);
}
