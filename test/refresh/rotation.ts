// Test helpers for secret refresh: a demo world whose server certificate and key are read
// through the alias `current`, a way to rotate them (new version, alias moved) while
// teeinit runs, a plain value secret rotated the same way, and a TLS client that reports
// the leaf the proxy presents.
import { connect, type TLSSocket } from 'node:tls';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { startDemoWorld, type DemoWorld } from '../../emulator/demo-world.js';
import { DEFAULT_POOL, imagePrincipalSet } from '../../emulator/default-world.js';
import { issueCert, type Pem } from '../../emulator/pki.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';

const ALIASED = ['server-cert', 'server-key'] as const;

/** The demo world with `server-cert`/`server-key` at alias `current` (version 1). */
export async function startAliasedWorld(stateDir: string): Promise<DemoWorld> {
  const world = await startDemoWorld({ stateDir });
  seedVersions(world, [world.server], 1);
  const secrets = world.configBase.secrets as Record<string, { from: string; ref: string }>;
  for (const id of ALIASED) {
    secrets[id] = { from: 'alice', ref: `projects/alice-proj/secrets/${id}/versions/current` };
  }
  return world;
}

/** A fresh server certificate for localhost from the world's CA. */
export function newServerCert(world: DemoWorld): Promise<Pem> {
  return issueCert(world.ca, {
    commonName: 'server.alice',
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
    usage: 'server',
  });
}

/**
 * Writes `versions` (version 1 = the world's own server cert) of server-cert and
 * server-key and points `current` at version `current`; `certOnly` rotates the cert alone.
 */
export function seedVersions(
  world: DemoWorld,
  versions: readonly Pem[],
  current: number,
  certOnly = false,
): void {
  const all = versions[0] === world.server ? versions : [world.server, ...versions];
  applySeed(
    world.emulator.store,
    parseSeedDocument({
      secrets: ALIASED.map((id) => ({
        project: 'alice-proj',
        id,
        versions: all.map((p) => ({ data: id === 'server-cert' ? p.cert : p.key })),
        aliases: { current: id === 'server-key' && certOnly ? 1 : current },
      })),
    }),
    Date.now,
  );
}

/**
 * Writes `values` as versions 1..n of alice's secret `id` (readable by the demo image) and
 * points its alias `current` at version `current`; call again with more values to rotate.
 */
export function seedValueSecret(
  world: DemoWorld,
  id: string,
  values: readonly string[],
  current: number,
): void {
  const member = imagePrincipalSet('111111111111', DEFAULT_POOL, DEFAULT_IMAGE_DIGEST);
  applySeed(
    world.emulator.store,
    parseSeedDocument({
      secrets: [
        {
          project: 'alice-proj',
          id,
          versions: values.map((data) => ({ data })),
          aliases: { current },
          bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [member] }],
        },
      ],
    }),
    Date.now,
  );
}

/** An open mTLS connection through the proxy, with the server leaf it was given. */
export interface Session {
  readonly socket: TLSSocket;
  readonly leafSha256: string;
  /** Sends a line and resolves with the echo. */
  echo(line: string): Promise<string>;
}

/** Opens an mTLS connection as `client.bob` to the proxy on `port`. */
export function openSession(world: DemoWorld, port: number): Promise<Session> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: world.ca.cert,
        cert: world.client.cert,
        key: world.client.key,
      },
      () => {
        const leafSha256 = socket.getPeerCertificate().fingerprint256;
        let buffered = '';
        socket.setEncoding('utf8');
        const waiters: ((line: string) => void)[] = [];
        socket.on('data', (d: string) => {
          buffered += d;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            waiters.shift()?.(line);
          }
        });
        resolve({
          socket,
          leafSha256,
          echo: (line) =>
            new Promise((r, j) => {
              const timer = setTimeout(() => j(new Error('no echo')), 10_000);
              waiters.push((got) => {
                clearTimeout(timer);
                r(got);
              });
              socket.write(line + '\n');
            }),
        });
      },
    );
    socket.once('error', reject);
  });
}
