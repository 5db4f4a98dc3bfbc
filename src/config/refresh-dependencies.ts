// Which secrets reach each process, and how: through a file it is given (`{{ file X }}`,
// directly or via a key or a rendered template) or through a value in its argv/env; and
// which secrets a proxy's TLS context is built from. The refresh rule and the refresh loop
// both read this, so "uses" means one thing.
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
  const expand = (name: string, seen: Set<string>, into: Set<string>): void => {
    if (seen.has(name)) return;
    seen.add(name);
    if (config.secrets[name] !== undefined) into.add(name);
    for (const share of config.keys[name]?.shares ?? []) expand(share, seen, into);
    if (config.templates[name] === undefined) return;
    for (const ref of references) {
      if (ref.kind !== 'env' && ref.owner.kind === 'template' && ref.owner.name === name)
        expand(ref.name, seen, into);
    }
  };
  const files = new Set<string>();
  const values = new Set<string>();
  let any = false;
  for (const ref of references) {
    if (ref.kind === 'env' || ref.owner.kind !== 'process' || ref.owner.name !== processName)
      continue;
    any = true;
    expand(ref.name, new Set(), ref.kind === 'value' ? values : files);
  }
  return { files, values, references: any };
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
