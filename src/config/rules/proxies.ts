// Proxies: each mode has the fields it needs and no others, addresses parse, the
// plaintext side stays on loopback unless marked unsafe, mTLS servers authorize someone
// (per SNI entry, and globally for the bundle's own CA), and no PSK is shared between
// TLS 1.2 and TLS 1.3.
import { ADDRESS_EXPECTED, isLoopback, parseAddress } from '../address.js';
import type { AuthorizeConfig, Config, ProxyConfig, SniCaEntry } from '../types.js';
import { invalidAt, keyPath, unknownAt } from './errors.js';

// Checks every proxy, then PSK reuse across TLS versions.
export function checkProxies(config: Config, warnings: string[]): void {
  const keyVersions = new Map<string, { version: string; at: string }>();
  config.proxies.forEach((p, i) => {
    const at = (...k: (string | number)[]): string => keyPath('proxies', i, ...k);
    checkAddresses(p, at, warnings);
    if (p.mode.startsWith('mtls')) checkMtls(config, p, at);
    else checkPsk(config, p, at);
    for (const [identity, key] of Object.entries(p.identities)) {
      const seen = keyVersions.get(key);
      if (seen && seen.version !== p.tlsVersion) {
        throw invalidAt(
          at('identities', identity),
          `${keyPath('keys', key)} is also used with the other TLS version at ${seen.at}; never use one PSK with both TLS 1.2 and 1.3`,
        );
      }
      keyVersions.set(key, { version: p.tlsVersion, at: at('identities', identity) });
    }
  });
}

function checkAddresses(p: ProxyConfig, at: (...k: string[]) => string, warnings: string[]): void {
  const listen = parseAddress(p.listen);
  const target = parseAddress(p.target);
  if (!listen) throw invalidAt(at('listen'), ADDRESS_EXPECTED);
  if (!target) throw invalidAt(at('target'), ADDRESS_EXPECTED);
  if (target.kind === 'tcp' && target.port === 0)
    throw invalidAt(at('target'), 'expected a port other than 0');
  const server = p.mode.endsWith('-server');
  const plainKey = server ? 'target' : 'listen';
  const plain = server ? target : listen;
  if (!isLoopback(plain)) {
    if (!p.unsafeNonLoopback) {
      throw invalidAt(
        at(plainKey),
        'the plaintext side must be loopback (127.0.0.1, ::1, localhost) or unix:/path; set unsafeNonLoopback: true to allow it',
      );
    }
    warnings.push(`${at(plainKey)}: plaintext side is not loopback (unsafeNonLoopback: true)`);
  }
  if (p.status !== undefined) {
    const status = parseAddress(p.status);
    if (!status || status.kind !== 'tcp') throw invalidAt(at('status'), 'expected "host:port"');
    if (!isLoopback(status))
      throw invalidAt(at('status'), 'the status endpoint must listen on loopback');
  }
}

function checkMtls(config: Config, p: ProxyConfig, at: (...k: string[]) => string): void {
  if (Object.keys(p.identities).length > 0)
    throw invalidAt(at('identities'), 'only used with psk modes');
  if (p.tls === undefined)
    throw invalidAt(at('tls'), 'required with mtls modes (name a bundle under tls)');
  const bundle = config.tls[p.tls];
  if (!bundle) throw unknownAt(at('tls'), 'tls bundle', Object.keys(config.tls));
  if (p.mode === 'mtls-server') {
    if (p.serverName !== undefined)
      throw invalidAt(at('serverName'), 'only used with mode mtls-client');
    const entries = Object.entries(p.sniCa);
    checkSniEntries(config, entries, at);
    if (bundle.ca === undefined && entries.length === 0) {
      throw invalidAt(
        at('tls'),
        `${keyPath('tls', p.tls)} needs a ca (or set sniCa) to verify client certificates`,
      );
    }
    if (bundle.ca !== undefined) {
      checkRules(p.authorize, (...k) => at('authorize', ...k));
    } else if (ruleCount(p.authorize) > 0 || p.authorize.allowAll) {
      // Without the bundle's CA, clients are admitted only through an SNI entry: rules here
      // would apply to nobody, and a reader could believe they restrict those clients.
      throw invalidAt(
        at('authorize'),
        `applies only to clients verified by the ca of ${keyPath('tls', p.tls)}, which has none; put the rules under sniCa.NAME.authorize`,
      );
    }
  } else {
    if (Object.keys(p.sniCa).length > 0)
      throw invalidAt(at('sniCa'), 'only used with mode mtls-server');
    if (bundle.ca === undefined) {
      throw invalidAt(
        at('tls'),
        `${keyPath('tls', p.tls)} needs a ca to verify the server certificate`,
      );
    }
  }
}

// An SNI name as clients send it: a DNS name, matched exactly (case-insensitive).
const SNI_NAME_RE =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function checkSniEntries(
  config: Config,
  entries: [string, SniCaEntry][],
  at: (...k: string[]) => string,
): void {
  const seen = new Map<string, string>();
  for (const [sni, entry] of entries) {
    if (!SNI_NAME_RE.test(sni) || sni.length > 253) {
      throw invalidAt(
        at('sniCa', sni),
        'expected a DNS name of letters, digits, "-" and "." (matched exactly; no wildcards, no IP addresses)',
      );
    }
    const other = seen.get(sni.toLowerCase());
    if (other !== undefined) {
      throw invalidAt(
        at('sniCa', sni),
        `the same name as ${at('sniCa', other)} (SNI names are case-insensitive)`,
      );
    }
    seen.set(sni.toLowerCase(), sni);
    if (!config.secrets[entry.ca])
      throw unknownAt(at('sniCa', sni, 'ca'), 'secret', Object.keys(config.secrets));
    checkRules(entry.authorize, (...k) => at('sniCa', sni, 'authorize', ...k));
  }
}

function ruleCount(a: AuthorizeConfig): number {
  return a.commonNames.length + a.dnsNames.length + a.uris.length + a.spkiSha256.length;
}

// A server's rules: at least one, or allowAll written out alone.
function checkRules(a: AuthorizeConfig, at: (...k: string[]) => string): void {
  const rules = ruleCount(a);
  if (!a.allowAll && rules === 0) {
    throw invalidAt(
      at(),
      'expected at least one rule (commonNames, dnsNames, uris, spkiSha256) or allowAll: true',
    );
  }
  if (a.allowAll && rules > 0)
    throw invalidAt(at('allowAll'), 'allowAll: true cannot be combined with rules');
}

function checkPsk(config: Config, p: ProxyConfig, at: (...k: string[]) => string): void {
  if (p.tls !== undefined) throw invalidAt(at('tls'), 'only used with mtls modes');
  if (Object.keys(p.sniCa).length > 0)
    throw invalidAt(at('sniCa'), 'only used with mode mtls-server');
  if (p.serverName !== undefined)
    throw invalidAt(at('serverName'), 'only used with mode mtls-client');
  const ids = Object.entries(p.identities);
  if (ids.length === 0)
    throw invalidAt(at('identities'), 'required with psk modes (or psk + identity)');
  if (p.mode === 'psk-client' && ids.length !== 1) {
    throw invalidAt(at('identities'), 'psk-client needs exactly one identity');
  }
  for (const [identity, key] of ids) {
    if (!config.keys[key])
      throw unknownAt(at('identities', identity), 'key', Object.keys(config.keys));
    if (Buffer.byteLength(identity) > 128)
      throw invalidAt(at('identities'), 'PSK identities are at most 128 bytes');
  }
}
