// The attestation test world: one emulator run with three more VMs beside the default one
// (another production image, a debug image, a tampered image), the PKI root written to a
// file, a policy that admits the default and peer images, and fresh mTLS material.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_IMAGE_DIGEST, TAMPERED_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { defaultWorld } from '../../emulator/default-world.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createCa, issueCert, type Pem } from '../../emulator/pki.js';
import { parsePolicy } from '../../src/attest/load-policy.js';
import type { AttestPolicy } from '../../src/config/types.js';
import { removeDir, tempDir } from '../helpers/temp.js';

export const AUDIENCE = 'https://teeinit.test/attested-channel';
export const PEER_DIGEST = `sha256:${createHash('sha256').update('teeinit-test/peer-workload').digest('hex')}`;
export { DEFAULT_IMAGE_DIGEST, TAMPERED_IMAGE_DIGEST };

export interface AttestWorld {
  readonly emulator: RunningEmulator;
  readonly dir: string;
  /** The emulator's PKI root (PEM) written to a file. */
  readonly rootFile: string;
  readonly discoveryUrl: string;
  /** Admits DEFAULT_IMAGE_DIGEST and PEER_DIGEST for AUDIENCE, OIDC and PKI. */
  readonly policy: AttestPolicy;
  readonly tls: { readonly ca: string; readonly server: Pem; readonly client: Pem };
  stop(): Promise<void>;
}

// Starts the emulator with VMs `peer`, `debug` and `tampered`; `tokenLifetimeSeconds` as given.
export async function startAttestWorld(tokenLifetimeSeconds?: number): Promise<AttestWorld> {
  const dir = tempDir('teeinit-attest-').dir;
  const base = defaultWorld();
  const emulator = await startEmulator({
    stateDir: join(dir, 'state'),
    ...(tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds }),
    config: {
      ...base,
      attestation: {
        preset: 'production',
        claims: {},
        vms: {
          peer: {
            claims: {
              imageDigest: PEER_DIGEST,
              imageReference: `us-docker.pkg.dev/teeinit-demo/workloads/peer@${PEER_DIGEST}`,
              instanceName: 'cs-peer',
            },
          },
          debug: { preset: 'debug', claims: { instanceName: 'cs-debug' } },
          tampered: { preset: 'tampered', claims: { instanceName: 'cs-tampered' } },
        },
      },
    },
  });
  try {
    const rootPem = await (
      await fetch(`${emulator.endpoints.issuer}/.well-known/confidential_space_root.crt`)
    ).text();
    const rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, rootPem);
    const discoveryUrl = `${emulator.endpoints.issuer}/.well-known/openid-configuration`;
    const policy = parsePolicy(
      {
        audience: AUDIENCE,
        imageDigests: [DEFAULT_IMAGE_DIGEST, PEER_DIGEST],
        oidc: { discoveryUrl },
        pki: { rootFile },
      },
      dir,
    );
    const ca = await createCa('attested channel test CA');
    const server = await issueCert(ca, {
      commonName: 'server',
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
      usage: 'server',
    });
    const client = await issueCert(ca, { commonName: 'client', usage: 'client' });
    return {
      emulator,
      dir,
      rootFile,
      discoveryUrl,
      policy,
      tls: { ca: ca.cert, server, client },
      async stop() {
        await emulator.stop();
        removeDir(dir);
      },
    };
  } catch (error) {
    await emulator.stop();
    removeDir(dir);
    throw error;
  }
}

/** The world's attestation policy as config input (both digests, OIDC and PKI), to derive variants. */
export function policyInput(world: AttestWorld): Record<string, unknown> {
  return {
    audience: AUDIENCE,
    imageDigests: [DEFAULT_IMAGE_DIGEST, PEER_DIGEST],
    oidc: { discoveryUrl: world.discoveryUrl },
    pki: { rootFile: world.rootFile },
  };
}
