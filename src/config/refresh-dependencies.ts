// Which secrets reach each process, and how: through a file it is given (`{{ file X }}`,
// directly or via a key or a rendered template) or through a value in its argv/env; which
// secrets each written file is made from; and which secrets a proxy's TLS context is built
// from. The refresh rule and the plan (which the refresh loop reads) both use this, so
// "uses" means one thing.
import type { TemplateReference } from './template-references.js';
import type { Config, ProxyConfig, SecretConfig } from './types.js';

/** Secret names a process depends on; `references` false when it names none at all. */
export interface SecretUse {
  /** Secrets that reach it through files (it can re-read them after a refresh). */
  readonly files: ReadonlySet<string>;
  /** Secrets that reach it through `{{ value }}` in argv/env (fixed until it restarts). */
  readonly values: ReadonlySet<string>;
  /** Whether its run/env refer to any secret, key or template. */
  readonly references: boolean;
}

/** Why: a rotated share changes its key, a rotated secret changes every template using it. */
export function secretUseOf(
  config: Config,
  references: readonly TemplateReference[],
  processName: string,
): SecretUse {
  const files = new Set<string>();
  const values = new Set<string>();
  let any = false;
  for (const ref of references) {
    if (ref.kind === 'env' || ref.owner.kind !== 'process' || ref.owner.name !== processName)
      continue;
    any = true;
    secretsBehind(config, references, ref.name, ref.kind === 'value' ? values : files);
  }
  return { files, values, references: any };
}

/**
 * Why: what a file or `{{ value }}` of `name` is made from: the secret itself, a key's
 * shares, and for a template every secret it refers to (through keys and other templates).
 * Added to `into`, which is returned.
 */
export function secretsBehind(
  config: Config,
  references: readonly TemplateReference[],
  name: string,
  into: Set<string> = new Set(),
  seen: Set<string> = new Set(),
): Set<string> {
  if (seen.has(name)) return into;
  seen.add(name);
  if (config.secrets[name] !== undefined) into.add(name);
  for (const share of config.keys[name]?.shares ?? []) {
    secretsBehind(config, references, share, into, seen);
  }
  if (config.templates[name] === undefined) return into;
  for (const ref of references) {
    if (ref.kind !== 'env' && ref.owner.kind === 'template' && ref.owner.name === name)
      secretsBehind(config, references, ref.name, into, seen);
  }
  return into;
}

/** Why: a refresh swaps a proxy's context only when one of these secrets changed. */
export function proxySecretsOf(config: Config, proxy: ProxyConfig): ReadonlySet<string> {
  const used = new Set<string>();
  const bundle = proxy.tls === undefined ? undefined : config.tls[proxy.tls];
  if (bundle !== undefined) {
    used.add(bundle.cert).add(bundle.key);
    if (bundle.ca !== undefined) used.add(bundle.ca);
  }
  for (const entry of Object.values(proxy.sniCa)) used.add(entry.ca);
  for (const key of Object.values(proxy.identities)) {
    for (const share of config.keys[key]?.shares ?? []) used.add(share);
  }
  return used;
}

/** Why: a pinned Secret Manager version never changes; an alias, `latest` or a file can. */
export function canChange(secret: SecretConfig): boolean {
  if (secret.source === 'file') return true;
  return !/\/versions\/[0-9]+$/.test(secret.ref ?? '');
}
