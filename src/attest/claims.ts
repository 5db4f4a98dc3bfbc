// Typed reads of a verified token's claims and the summary of them that logs and
// `teeinit attest verify` show. Claims come from a token whose signature checked out;
// values are still bounded and made printable before they reach a log line.
import type { AttestTokenType } from '../config/types.js';
import type { ClaimSummary } from './reasons.js';

export type Claims = Readonly<Record<string, unknown>>;

// The value at a dotted path, or undefined.
export function claimAt(claims: Claims, path: string): unknown {
  let at: unknown = claims;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

// A string claim, or undefined when absent or of another type.
export function stringClaim(claims: Claims, path: string): string | undefined {
  const v = claimAt(claims, path);
  return typeof v === 'string' ? v : undefined;
}

// A claim that is a string or an array of strings (`aud`, `eat_nonce`), as a list.
export function stringList(claims: Claims, path: string): string[] {
  const v = claimAt(claims, path);
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Bounded, printable rendering of a claim value for details and logs. */
export function printableClaim(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

// The claims worth logging about a peer: image, hardware, debug state, project, times.
export function summarizeClaims(claims: Claims, tokenType: AttestTokenType): ClaimSummary {
  const text = (path: string): string | undefined => {
    const v = stringClaim(claims, path);
    return v === undefined ? undefined : printableClaim(v);
  };
  const list = (path: string): string[] | undefined => {
    const v = claimAt(claims, path);
    return v === undefined ? undefined : stringList(claims, path).map(printableClaim);
  };
  const num = (key: string): number | undefined => {
    const v = claims[key];
    return typeof v === 'number' ? v : undefined;
  };
  return {
    tokenType,
    issuer: text('iss') ?? '',
    audience: stringList(claims, 'aud').map(printableClaim),
    ...optional('imageDigest', text('submods.container.image_digest')),
    ...optional('imageReference', text('submods.container.image_reference')),
    ...optional('hwmodel', text('hwmodel')),
    ...optional('swname', text('swname')),
    ...optional('dbgstat', text('dbgstat')),
    ...optional('supportAttributes', list('submods.confidential_space.support_attributes')),
    ...optional('projectId', text('submods.gce.project_id')),
    ...optional('instanceName', text('submods.gce.instance_name')),
    ...optional('serviceAccounts', list('google_service_accounts')),
    nonces: stringList(claims, 'eat_nonce').map(printableClaim),
    ...optional('issuedAt', num('iat')),
    ...optional('expiresAt', num('exp')),
  };
}
