// Shared fixtures for the proxy integration tests: a fresh PKI per run written to a temp
// dir (for openssl/curl/redis/stunnel), config and material builders and echo servers (polling,
// ports, commands and the capturing logger: test/helpers/).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthorizeConfig, ProxyConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/log/index.js';
import { startProxy, type ProxyMaterial, type RunningProxy } from '../../src/proxy/index.js';
import { createCa, issueCert, type IssuedCa, type Pem } from '../../emulator/pki.js';

export interface TestPki {
  readonly dir: string;
  readonly ca: IssuedCa;
  readonly server: Pem;
  readonly client: Pem;
  readonly otherCa: IssuedCa;
  readonly foreignClient: Pem;
  readonly expiredClient: Pem;
  readonly strangerClient: Pem;
  /** Paths of PEM files in `dir`: ca, server.crt/key, client.crt/key, foreign.*, expired.*, stranger.*. */
  file(name: string): string;
}

/** Fresh CA and leaves, written 0600 to a temp dir for the command-line peers. */
export async function makePki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'teeinit-proxy-'));
  const ca = await createCa('proxy test CA');
  const otherCa = await createCa('other CA');
  const server = await issueCert(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost', 'backend.test'],
    ips: ['127.0.0.1'],
    usage: 'server',
  });
  const client = await issueCert(ca, {
    commonName: 'client1',
    uris: ['spiffe://alice.test/ns/prod/sa/reader'],
    usage: 'client',
  });
  const foreignClient = await issueCert(otherCa, { commonName: 'client1', usage: 'client' });
  const day = 24 * 3600 * 1000;
  const expiredClient = await issueCert(ca, {
    commonName: 'client1',
    usage: 'client',
    notBefore: new Date(Date.now() - 10 * day),
    notAfter: new Date(Date.now() - day),
  });
  const strangerClient = await issueCert(ca, {
    commonName: 'mallory',
    dnsNames: ['mallory.test'],
    usage: 'client',
  });
  const write = (name: string, body: string): void =>
    writeFileSync(join(dir, name), body, { mode: 0o600 });
  write('ca.crt', ca.cert);
  write('other-ca.crt', otherCa.cert);
  for (const [name, pem] of Object.entries({
    server,
    client,
    foreign: foreignClient,
    expired: expiredClient,
    stranger: strangerClient,
  })) {
    write(`${name}.crt`, pem.cert);
    write(`${name}.key`, pem.key);
  }
  return {
    dir,
    ca,
    server,
    client,
    otherCa,
    foreignClient,
    expiredClient,
    strangerClient,
    file: (n) => join(dir, n),
  };
}

export function removePki(pki: TestPki | undefined): void {
  if (pki !== undefined) rmSync(pki.dir, { recursive: true, force: true });
}

export const NO_RULES: AuthorizeConfig = {
  allowAll: false,
  commonNames: [],
  dnsNames: [],
  uris: [],
  spkiSha256: [],
};

/** A normalized ProxyConfig with test-sized limits. */
export function proxyConfig(
  partial: Partial<Omit<ProxyConfig, 'authorize' | 'limits'>> &
    Pick<ProxyConfig, 'mode' | 'target'> & {
      authorize?: Partial<AuthorizeConfig>;
      limits?: Partial<ProxyConfig['limits']>;
    },
): ProxyConfig {
  return {
    name: partial.name ?? partial.mode,
    listen: '127.0.0.1:0',
    sniCa: {},
    identities: {},
    tlsVersion: '1.3',
    unsafeNonLoopback: false,
    start: 'before-processes',
    ...partial,
    authorize: { ...NO_RULES, ...partial.authorize },
    limits: {
      handshakeTimeout: 3000,
      idleTimeout: 30000,
      maxLifetime: 0,
      maxConnections: 200,
      connectTimeout: 2000,
      maxHandshakesPerSource: 64,
      ...partial.limits,
    },
  };
}

/** Material with the server bundle as `server`, the client bundle as `client`. */
export function pkiMaterial(
  pki: TestPki,
  keys: Record<string, Buffer> = {},
  secrets: Record<string, Buffer> = {},
): ProxyMaterial {
  return {
    tls: new Map([
      ['server', { certPem: pki.server.cert, keyPem: pki.server.key, caPem: pki.ca.cert }],
      ['client', { certPem: pki.client.cert, keyPem: pki.client.key, caPem: pki.ca.cert }],
    ]),
    keys: new Map(Object.entries(keys)),
    secrets: new Map(Object.entries(secrets)),
  };
}

/** A TCP echo server (half-close aware: ends after the peer ends). */
export async function startEcho(
  onSocket?: (s: Socket) => void,
): Promise<{ server: Server; port: number; address: string }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    if (onSocket !== undefined) onSocket(s);
    else s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, port, address: `127.0.0.1:${port}` };
}

/** A psk-client → psk-server pair in front of an echo target, sharing one random key. */
export interface PskPair {
  readonly target: { server: Server; port: number; address: string };
  readonly server: RunningProxy;
  readonly client: RunningProxy;
  /** The material both ends use (key `k`, identity `c`). */
  readonly material: ProxyMaterial;
  close(): Promise<void>;
}

/** Starts a PskPair; `server` overrides the psk-server's config (limits, status…). */
export async function startPskPair(
  logger: Logger,
  options: {
    onSocket?: (s: Socket) => void;
    server?: Partial<Omit<ProxyConfig, 'mode' | 'target' | 'authorize' | 'limits'>> & {
      limits?: Partial<ProxyConfig['limits']>;
    };
  } = {},
): Promise<PskPair> {
  const material: ProxyMaterial = {
    tls: new Map(),
    keys: new Map([['k', randomBytes(32)]]),
    secrets: new Map(),
  };
  const target = await startEcho(options.onSocket);
  const server = await startProxy(
    proxyConfig({
      name: 'in',
      mode: 'psk-server',
      target: target.address,
      identities: { c: 'k' },
      ...options.server,
    }),
    material,
    logger,
  );
  const client = await startProxy(
    proxyConfig({
      name: 'out',
      mode: 'psk-client',
      target: server.address,
      identities: { c: 'k' },
    }),
    material,
    logger,
  );
  return {
    target,
    server,
    client,
    material,
    async close() {
      await client.close(200);
      await server.close(200);
      target.server.close();
    },
  };
}

/** host and port of a RunningProxy address. */
export function hostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}
