// The Secret Manager side of one collaborator: which secrets its config entries name, which
// versions they pin, in which order the versions are added so each gets the number the
// config pins, the payload file each one reads (a placeholder, never a value) and what the
// payload must be.
import type { Config } from '../config/index.js';
import type { SecretSetup, VersionKind, VersionSetup } from './types.js';

const REF_RE = /^projects\/([^/]+)\/(?:locations\/([^/]+)\/)?secrets\/([^/]+)\/versions\/([^/]+)$/;

interface Ref {
  readonly ref: string;
  readonly project: string;
  readonly location?: string;
  readonly secretId: string;
  readonly version: string;
  readonly kind: VersionKind;
}

function parseRef(ref: string): Ref | undefined {
  const m = REF_RE.exec(ref);
  if (m === null) return undefined;
  const version = m[4]!;
  return {
    ref,
    project: m[1]!,
    ...(m[2] === undefined ? {} : { location: m[2] }),
    secretId: m[3]!,
    version,
    kind: /^\d+$/.test(version) ? 'number' : version === 'latest' ? 'latest' : 'alias',
  };
}

/** What a secret's payload must be, from how the config uses it. */
export function describePayload(config: Config, name: string): string {
  const uses: string[] = [];
  for (const [bundle, t] of Object.entries(config.tls)) {
    if (t.cert === name) uses.push(`the certificate (PEM) of tls.${bundle}`);
    if (t.key === name) uses.push(`the private key (PEM) of tls.${bundle}`);
    if (t.ca === name) uses.push(`the CA certificate (PEM) of tls.${bundle}`);
  }
  for (const [key, k] of Object.entries(config.keys)) {
    if (k.shares.includes(name)) uses.push(`one share of keys.${key} (docs/psk.md)`);
  }
  return uses.length > 0 ? uses.join('; ') : `the bytes teeinit delivers as secrets.${name}`;
}

/**
 * Payload file names: the name the image writes the secret to (`files.entries`), which is
 * what a README's openssl commands produce, else the secret's config name; the config name
 * wherever two would collide.
 */
function payloadFiles(config: Config, names: readonly string[]): Map<string, string> {
  const wanted = new Map(names.map((n) => [n, config.files.entries[n]?.name ?? n]));
  const counts = new Map<string, number>();
  for (const file of wanted.values()) counts.set(file, (counts.get(file) ?? 0) + 1);
  const taken = new Set(names);
  for (const [name, file] of wanted) {
    if ((counts.get(file) ?? 0) > 1 || (file !== name && taken.has(file))) wanted.set(name, name);
  }
  return wanted;
}

const secretKey = (r: Ref): string => `${r.project}/${r.location ?? ''}/${r.secretId}`;

/**
 * The secrets of `collaborator`, each with its versions in the order they are added:
 * pinned numbers ascending (the first one may require versions that already exist), then
 * one new version per alias (pointed at by `--update-version-aliases`), then one for
 * `latest` when the secret has other versions too.
 */
export function collaboratorSecrets(config: Config, collaborator: string): SecretSetup[] {
  const names = Object.entries(config.secrets)
    .filter(([, s]) => s.from === collaborator && s.source === 'gcp-secret-manager')
    .map(([n]) => n);
  const files = payloadFiles(config, names);
  const byRef = new Map<string, { ref: Ref; names: string[] }>();
  const bySecret = new Map<string, Ref[]>();
  for (const name of names) {
    const ref = parseRef(config.secrets[name]!.ref ?? '');
    if (ref === undefined) continue;
    const seen = byRef.get(ref.ref);
    if (seen !== undefined) {
      seen.names.push(name);
      continue;
    }
    byRef.set(ref.ref, { ref, names: [name] });
    const list = bySecret.get(secretKey(ref)) ?? [];
    list.push(ref);
    bySecret.set(secretKey(ref), list);
  }
  return [...bySecret.values()].map((refs) => {
    const numbered = refs.filter((r) => r.kind === 'number').sort(byNumber);
    const aliases = refs.filter((r) => r.kind === 'alias');
    const latest = refs.filter((r) => r.kind === 'latest');
    const existing = numbered.length > 0 ? Number(numbered[0]!.version) - 1 : 0;
    let next = existing;
    const versions = [...numbered, ...aliases, ...latest].map((r): VersionSetup => {
      next = r.kind === 'number' ? Number(r.version) : next + 1;
      const entry = byRef.get(r.ref)!;
      return {
        secretNames: entry.names,
        ref: r.ref,
        version: r.version,
        kind: r.kind,
        number: next,
        creates: next === 1,
        payloadFile: files.get(entry.names[0]!) ?? entry.names[0]!,
        holds: entry.names.map((n) => describePayload(config, n)).join('; '),
      };
    });
    const first = refs[0]!;
    return {
      project: first.project,
      ...(first.location === undefined ? {} : { location: first.location }),
      secretId: first.secretId,
      versions,
      existingVersions: existing,
    };
  });
}

function byNumber(a: Ref, b: Ref): number {
  return Number(a.version) - Number(b.version);
}

/** The config's `source: file` secrets of `collaborator` (nothing to store). */
export function fileSecrets(config: Config, collaborator: string): string[] {
  return Object.entries(config.secrets)
    .filter(([, s]) => s.from === collaborator && s.source === 'file')
    .map(([n]) => n);
}
