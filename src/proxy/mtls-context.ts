// TLS contexts for the mTLS modes, built from validated material. The CA list is always
// explicit: Node would otherwise trust its public root store for peer certificates.
import { constants } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { ProxyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { ProxyMaterial } from './types.js';

export const MIN_TLS_VERSION = 'TLSv1.2';

/** What an mtls-server needs per handshake: the default context and one per SNI name. */
export interface MtlsServerTls {
  readonly options: SecureContextOptions;
  /** SNI server name (lower case) → context whose CA is that entry's CA, and only it. */
  readonly sni: ReadonlyMap<string, SecureContext>;
  /** Whether connections without a known SNI name have a CA to verify against. */
  readonly defaultHasCa: boolean;
}

/** Why: built (and thereby checked) before listen and again on every hot swap. */
export function buildMtlsServerTls(config: ProxyConfig, material: ProxyMaterial): MtlsServerTls {
  const bundle = requireBundle(config, material);
  const entries = Object.entries(config.sniCa);
  if (bundle.caPem === undefined && entries.length === 0) {
    throw tlsError(
      config,
      `tls bundle "${config.tls ?? ''}" has no CA to verify client certificates`,
    );
  }
  const options: SecureContextOptions = {
    cert: bundle.certPem,
    key: bundle.keyPem,
    // An empty list, not undefined: never fall back to the public roots.
    ca: bundle.caPem ?? [],
    minVersion: MIN_TLS_VERSION,
    // No session resumption (no tickets; Node keeps no server session cache): a resumed
    // session skips the chain check and carries the old verification result, across SNI
    // entries (a session verified by one entry's CA, resumed with another entry's SNI name,
    // arrives authorized and would meet that entry's rules; a TLS 1.2 resumption does not
    // even report the SNI name) and past a CA swap. Every connection is verified afresh
    // against the CA in force for the name it sends.
    secureOptions: constants.SSL_OP_NO_TICKET,
  };
  const sni = new Map<string, SecureContext>();
  try {
    createSecureContext(options);
    for (const [name, entry] of entries) {
      const ca = material.secrets.get(entry.ca);
      if (ca === undefined)
        throw new Error(`sniCa.${name}.ca: secret "${entry.ca}" is not in the material`);
      sni.set(name.toLowerCase(), createSecureContext({ ...options, ca: ca.toString('utf8') }));
    }
  } catch (cause) {
    throw tlsError(config, describe(cause), cause);
  }
  return { options, sni, defaultHasCa: bundle.caPem !== undefined };
}

/** What an mtls-client presents and trusts when it dials the target. */
export interface MtlsClientTls {
  readonly context: SecureContext;
  readonly hasCa: boolean;
}

/** Why: the client context is shared by every outbound connection (no per-dial PEM parsing). */
export function buildMtlsClientTls(config: ProxyConfig, material: ProxyMaterial): MtlsClientTls {
  const bundle = requireBundle(config, material);
  if (bundle.caPem === undefined && config.authorize.spkiSha256.length === 0) {
    throw tlsError(
      config,
      `tls bundle "${config.tls ?? ''}" has no CA and no authorize.spkiSha256 pin to verify the server`,
    );
  }
  try {
    const context = createSecureContext({
      cert: bundle.certPem,
      key: bundle.keyPem,
      ca: bundle.caPem ?? [],
      minVersion: MIN_TLS_VERSION,
    });
    return { context, hasCa: bundle.caPem !== undefined };
  } catch (cause) {
    throw tlsError(config, describe(cause), cause);
  }
}

function requireBundle(config: ProxyConfig, material: ProxyMaterial) {
  const bundle = config.tls === undefined ? undefined : material.tls.get(config.tls);
  if (bundle === undefined) {
    throw tlsError(config, `tls bundle "${config.tls ?? '(none)'}" is not in the material`);
  }
  return bundle;
}

/** Why: OpenSSL's messages name the failing routine, never key bytes; keep only that. */
export function describe(cause: unknown): string {
  return cause instanceof Error ? (cause.message.split('\n')[0] ?? 'error') : 'error';
}

/** Why: every TLS build failure names the proxy and the bundle or key it came from. */
export function tlsError(config: ProxyConfig, what: string, cause?: unknown): TeeinitError {
  return new TeeinitError('TEEINIT_PROXY_TLS', `Proxy "${config.name}": ${what}.`, {
    ...(cause === undefined ? {} : { cause }),
    fields: { proxy: config.name },
  });
}
