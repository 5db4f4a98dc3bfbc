// JSON renderings of secrets, versions and IAM policies as the v1 REST API returns them.
import { createHash } from 'node:crypto';
import type { IamBinding, SecretModel, SecretVersionModel, VersionState } from '../model.js';
import { secretName, versionName } from './names.js';

/** Fields the shared model does not hold but the API echoes back (replication, labels). */
export interface SecretExtras {
  replication?: unknown;
  labels?: Record<string, string>;
}
const extras = new WeakMap<SecretModel, SecretExtras>();

/** Remembers the replication/labels a secret was created with. */
export function setSecretExtras(secret: SecretModel, value: SecretExtras): void {
  extras.set(secret, value);
}

const STATE_NUMBERS: Readonly<Record<VersionState, number>> = {
  ENABLED: 1,
  DISABLED: 2,
  DESTROYED: 3,
};

/** Rendering options: `$alt=json;enum-encoding=int` (the official REST client) wants ints. */
export interface RenderOptions {
  readonly numericEnums: boolean;
}

/** Google-style etag: a quoted hex timestamp in microseconds. */
function etagOf(iso: string, salt = 0): string {
  return `"${(Date.parse(iso) * 1000 + salt).toString(16)}"`;
}

/** The Secret resource. */
export function renderSecret(secret: SecretModel): Record<string, unknown> {
  const extra = extras.get(secret) ?? {};
  const out: Record<string, unknown> = {
    name: secretName(secret.projectNumber, secret.secretId, secret.location),
  };
  if (secret.location === undefined) out.replication = extra.replication ?? { automatic: {} };
  out.createTime = secret.createTime;
  if (extra.labels !== undefined && Object.keys(extra.labels).length > 0) out.labels = extra.labels;
  out.etag = etagOf(secret.createTime, Object.keys(secret.versionAliases).length);
  if (Object.keys(secret.versionAliases).length > 0) {
    out.versionAliases = Object.fromEntries(
      Object.entries(secret.versionAliases).map(([k, v]) => [k, String(v)]),
    );
  }
  return out;
}

/** The SecretVersion resource (no payload). */
export function renderVersion(
  secret: SecretModel,
  version: SecretVersionModel,
  options: RenderOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: versionName(secret.projectNumber, secret.secretId, version.number, secret.location),
    createTime: version.createTime,
  };
  if (version.destroyTime !== undefined) out.destroyTime = version.destroyTime;
  out.state = options.numericEnums ? STATE_NUMBERS[version.state] : version.state;
  if (secret.location === undefined) out.replicationStatus = { automatic: {} };
  out.etag = etagOf(version.createTime, STATE_NUMBERS[version.state]);
  return out;
}

/** Etag of a policy: changes whenever the bindings change (base64 like Google's `BwX…`). */
export function policyEtag(bindings: readonly IamBinding[]): string {
  return createHash('sha256')
    .update(JSON.stringify(bindings))
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

/** The IAM Policy resource; empty bindings are omitted as Google does. */
export function renderPolicy(bindings: readonly IamBinding[]): Record<string, unknown> {
  const out: Record<string, unknown> = { version: 1, etag: policyEtag(bindings) };
  if (bindings.length > 0) {
    out.bindings = bindings.map((b) => ({ role: b.role, members: [...b.members] }));
  }
  return out;
}
