// The emulated Google side of the worked example (docs/attested-channel.md): alice's and
// bob's pools admit the ledger and caller images (condition `image_digest in [...]`), the
// secrets the two configs pin, each granted to the image(s) that need it, and the VMs: the
// ledger, the caller, a debug build of the caller and an image on no list. Fresh
// certificates and shares per run.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imagePrincipalSet } from '../../emulator/default-world.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createCa, issueCert, type Pem } from '../../emulator/pki.js';
import { ALICE, BOB, POOL, readmePools } from '../examples/world.js';
import { CALLER_DIGEST, LEDGER_DIGEST } from './worked-example.js';

/** An image on neither list. */
export const STRANGER_DIGEST = `sha256:${createHash('sha256').update('teeinit-example/stranger').digest('hex')}`;

export interface ExampleWorld {
  readonly emulator: RunningEmulator;
  readonly ca: Pem;
  /** The ledger's server certificate (ledger.example.internal). */
  readonly ledger: Pem;
  /** The caller's client certificate (CN caller). */
  readonly caller: Pem;
  readonly shares: { readonly alice: string; readonly bob: string };
  /** The emulator's PKI root, written to a file (Google's root in the shipped configs). */
  readonly rootFile: string;
  readonly discoveryUrl: string;
  /** Every secret value stored (for leak scans). */
  readonly secretValues: readonly string[];
}

// Starts the emulator under `dir` with the example's projects, pools, secrets and VMs.
export async function startExampleWorld(dir: string): Promise<ExampleWorld> {
  const ca = await createCa(`attested example CA ${randomBytes(4).toString('hex')}`);
  const ledger = await issueCert(ca, {
    commonName: 'ledger',
    dnsNames: ['ledger.example.internal'],
    usage: 'server',
  });
  const caller = await issueCert(ca, { commonName: 'caller', usage: 'client' });
  const shares = { alice: randomBytes(32).toString('hex'), bob: randomBytes(32).toString('hex') };
  const member = (number: string, digest: string): string =>
    imagePrincipalSet(number, POOL, digest);
  const both = (number: string): string[] => [
    member(number, LEDGER_DIGEST),
    member(number, CALLER_DIGEST),
  ];
  const secret = (project: string, id: string, data: string, members: string[]) => ({
    project,
    id,
    versions: [{ dataBase64: Buffer.from(data).toString('base64') }],
    bindings: [{ role: 'roles/secretmanager.secretAccessor', members }],
  });
  const condition = `assertion.swname == 'CONFIDENTIAL_SPACE' && 'STABLE' in assertion.submods.confidential_space.support_attributes && assertion.submods.container.image_digest in ['${LEDGER_DIGEST}', '${CALLER_DIGEST}']`;
  const emulator = await startEmulator({
    stateDir: join(dir, 'emulator'),
    config: {
      attestation: {
        preset: 'production',
        claims: {},
        vms: {
          ledger: { claims: { imageDigest: LEDGER_DIGEST, instanceName: 'ledger-1' } },
          caller: { claims: { imageDigest: CALLER_DIGEST, instanceName: 'caller-1' } },
          'caller-debug': {
            preset: 'debug',
            claims: { imageDigest: CALLER_DIGEST, instanceName: 'caller-debug' },
          },
          stranger: { claims: { imageDigest: STRANGER_DIGEST, instanceName: 'stranger-1' } },
        },
      },
      ...readmePools(condition),
      serviceAccounts: [],
      secrets: [
        secret(ALICE.project, 'ledger-ca', ca.cert, both(ALICE.number)),
        secret(ALICE.project, 'ledger-cert', ledger.cert, [member(ALICE.number, LEDGER_DIGEST)]),
        secret(ALICE.project, 'ledger-key', ledger.key, [member(ALICE.number, LEDGER_DIGEST)]),
        secret(ALICE.project, 'caller-cert', caller.cert, [member(ALICE.number, CALLER_DIGEST)]),
        secret(ALICE.project, 'caller-key', caller.key, [member(ALICE.number, CALLER_DIGEST)]),
        secret(ALICE.project, 'ledger-psk-share', shares.alice, both(ALICE.number)),
        secret(BOB.project, 'ledger-psk-share', shares.bob, both(BOB.number)),
      ],
      faults: [],
    },
  });
  try {
    const rootPem = await (
      await fetch(`${emulator.endpoints.issuer}/.well-known/confidential_space_root.crt`)
    ).text();
    const rootFile = join(dir, 'emulator-root.pem');
    writeFileSync(rootFile, rootPem, { mode: 0o644 });
    return {
      emulator,
      ca,
      ledger,
      caller,
      shares,
      rootFile,
      discoveryUrl: `${emulator.endpoints.issuer}/.well-known/openid-configuration`,
      secretValues: [ca.key, ledger.key, caller.key, shares.alice, shares.bob],
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/** Every attestation token the emulator's VMs minted so far (for leak scans). */
export function mintedTokens(world: ExampleWorld): string[] {
  return [
    ...world.emulator.attestation.mintedTokens(),
    ...Object.values(world.emulator.vms).flatMap((vm) => vm.attestation.mintedTokens()),
  ];
}
