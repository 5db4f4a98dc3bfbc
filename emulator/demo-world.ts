// A ready world for the demo and the end-to-end tests: the emulator's default two
// collaborators, a fresh CA with server and client certificates, and one PSK share each,
// all stored in Secret Manager and granted to the demo image only.
import { randomBytes } from 'node:crypto';
import { DEFAULT_IMAGE_DIGEST } from './attestation/claims.js';
import { DEFAULT_POOL, imagePrincipalSet } from './default-world.js';
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from './index.js';
import { createCa, issueCert, type IssuedCa, type Pem } from './pki.js';
import { applySeed, parseSeedDocument } from './seed/apply.js';

export interface DemoWorld {
  readonly emulator: RunningEmulator;
  readonly ca: IssuedCa;
  /** Server certificate for localhost / 127.0.0.1 (serverAuth). */
  readonly server: Pem;
  /** Client certificate `CN=client.bob` (clientAuth), held by the calling side. */
  readonly client: Pem;
  /** PSK shares as stored (hex text). */
  readonly shares: { readonly alice: string; readonly bob: string };
  /** Every secret value stored, to search captured output for leaks. */
  readonly secretValues: readonly string[];
  /**
   * The parts of a teeinit config every user of the world shares: `attestation` and
   * `endpoints` pointing at the emulator, both collaborators, the five secrets (version 1),
   * the `session-psk` key from both shares and the `server` TLS bundle.
   */
  readonly configBase: Record<string, unknown>;
  stop(): Promise<void>;
}

const ACCESSOR = 'roles/secretmanager.secretAccessor';

const versionOne = (project: string, id: string): string =>
  `projects/${project}/secrets/${id}/versions/1`;

/** Secret ids in the world: alice holds the PKI and her share, bob his share. */
export const DEMO_SECRETS = {
  alice: ['ca', 'server-cert', 'server-key', 'alice-share'],
  bob: ['bob-share'],
} as const;

/** Starts the emulator and seeds the demo secrets (version 1 of each). */
export async function startDemoWorld(
  options: Omit<StartEmulatorOptions, 'config' | 'configFile'>,
): Promise<DemoWorld> {
  const emulator = await startEmulator(options);
  try {
    const ca = await createCa('teeinit demo CA');
    const server = await issueCert(ca, {
      commonName: 'server.alice',
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
      usage: 'server',
    });
    const client = await issueCert(ca, {
      commonName: 'client.bob',
      uris: ['spiffe://bob.example/tee/client'],
      usage: 'client',
    });
    const shares = { alice: randomBytes(32).toString('hex'), bob: randomBytes(32).toString('hex') };
    const grant = (project: string): { role: string; members: string[] }[] => [
      { role: ACCESSOR, members: [imagePrincipalSet(project, DEFAULT_POOL, DEFAULT_IMAGE_DIGEST)] },
    ];
    const alice = '111111111111';
    const bob = '222222222222';
    const data: Record<string, string> = {
      ca: ca.cert,
      'server-cert': server.cert,
      'server-key': server.key,
      'alice-share': shares.alice,
    };
    applySeed(
      emulator.store,
      parseSeedDocument({
        secrets: [
          ...DEMO_SECRETS.alice.map((id) => ({
            project: 'alice-proj',
            id,
            versions: [{ data: data[id] }],
            bindings: grant(alice),
          })),
          {
            project: 'bob-proj',
            id: 'bob-share',
            versions: [{ data: shares.bob }],
            bindings: grant(bob),
          },
        ],
      }),
      Date.now,
    );
    return {
      emulator,
      ca,
      server,
      client,
      shares,
      secretValues: [ca.key, server.key, client.key, shares.alice, shares.bob],
      configBase: {
        attestation: { source: 'file', tokenFile: emulator.tokenFile },
        endpoints: {
          sts: emulator.endpoints.sts,
          iamCredentials: emulator.endpoints.iamCredentials,
          secretManager: emulator.endpoints.secretManager,
        },
        collaborators: {
          alice: { provider: emulator.providerAudience('alice-proj') },
          bob: { provider: emulator.providerAudience('bob-proj') },
        },
        secrets: Object.fromEntries([
          ...DEMO_SECRETS.alice.map((id) => [
            id,
            { from: 'alice', ref: versionOne('alice-proj', id) },
          ]),
          ...DEMO_SECRETS.bob.map((id) => [id, { from: 'bob', ref: versionOne('bob-proj', id) }]),
        ]),
        keys: { 'session-psk': { shares: ['alice-share', 'bob-share'], kdf: 'hkdf-sha256' } },
        tls: { server: { cert: 'server-cert', key: 'server-key', ca: 'ca', usage: 'server' } },
      },
      stop: () => emulator.stop(),
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}
