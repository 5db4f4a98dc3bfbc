// The emulated Google side of the example tests: alice's and bob's projects with the
// Workload Identity pool and provider the example READMEs create (`cs-pool` /
// `attestation-verifier`, Confidential Space mapping, condition pinned to the image digest),
// alice's impersonable reader service account, and per-test secrets granted the way the
// READMEs grant them. Fresh certificates and shares on every run.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import {
  CONFIDENTIAL_SPACE_MAPPING,
  confidentialSpaceCondition,
  imagePrincipalSet,
  STS_AUDIENCE,
} from '../../emulator/default-world.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createCa, issueCert, type Pem } from '../../emulator/pki.js';
import type { TestEnvironment } from './example-config.js';
import { ALICE, BOB } from '../helpers/collaborators.js';

export const POOL = 'cs-pool';
export const PROVIDER = 'attestation-verifier';
export { ALICE, BOB };
export const ALICE_READER = 'reader@alice-proj.iam.gserviceaccount.com';

/** The member the READMEs bind: every workload of the attested image in a collaborator's pool. */
export function imageMember(projectNumber: string): string {
  return imagePrincipalSet(projectNumber, POOL, DEFAULT_IMAGE_DIGEST);
}

/**
 * alice's and bob's projects, each with the READMEs' pool and provider: the Confidential
 * Space mapping, `condition`, and the READMEs' `--allowed-audiences=https://sts.googleapis.com`.
 */
export function readmePools(condition: string) {
  return {
    projects: [ALICE, BOB].map((c) => ({ id: c.project, number: c.number })),
    providers: [ALICE, BOB].map((c) => ({
      project: c.project,
      pool: POOL,
      provider: PROVIDER,
      attributeMapping: { ...CONFIDENTIAL_SPACE_MAPPING },
      attributeCondition: condition,
      allowedAudiences: [STS_AUDIENCE],
    })),
  };
}

/** The psk example's two shares, stored and granted as its README does. */
export function pskShareSecrets(aliceHex: string, bobHex: string): SeedSecretSpec[] {
  return [
    {
      project: ALICE.project,
      id: 'alice-psk-share',
      data: aliceHex,
      members: [`serviceAccount:${ALICE_READER}`],
    },
    { project: BOB.project, id: 'bob-psk-share', data: bobHex, members: [imageMember(BOB.number)] },
  ];
}

/** One secret to seed: project id, secret id, payload, who may access it. */
export interface SeedSecretSpec {
  readonly project: string;
  readonly id: string;
  readonly data: string | Buffer;
  readonly members: readonly string[];
}

/** Starts the emulator with the README's providers and the given secrets (version 1 each). */
export async function startWorld(
  stateDir: string,
  secrets: readonly SeedSecretSpec[],
): Promise<RunningEmulator> {
  const condition = confidentialSpaceCondition(DEFAULT_IMAGE_DIGEST);
  return startEmulator({
    stateDir,
    config: {
      attestation: { preset: 'production', claims: {} },
      ...readmePools(condition),
      serviceAccounts: [
        {
          email: ALICE_READER,
          bindings: [
            { role: 'roles/iam.workloadIdentityUser', members: [imageMember(ALICE.number)] },
          ],
        },
      ],
      secrets: secrets.map((s) => ({
        project: s.project,
        id: s.id,
        versions: [{ dataBase64: Buffer.from(s.data).toString('base64') }],
        bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [...s.members] }],
      })),
      faults: [],
    },
  });
}

/** The endpoints and token file a test config uses instead of Google's. */
export function testEnvironment(emulator: RunningEmulator, secretsDir: string): TestEnvironment {
  return {
    sts: emulator.endpoints.sts,
    iamCredentials: emulator.endpoints.iamCredentials,
    secretManager: emulator.endpoints.secretManager,
    tokenFile: emulator.tokenFile,
    secretsDir,
  };
}

/** A fresh CA, a server certificate for 127.0.0.1/localhost and a client certificate. */
export interface TestPki {
  readonly ca: Pem;
  readonly server: Pem;
  readonly client: Pem;
  /** Paths of the client's files (written into `clientDir`). */
  readonly clientFiles: { readonly ca: string; readonly cert: string; readonly key: string };
}

/** Issues the certificates and writes the client's copies (0600) into `clientDir`. */
export async function createTestPki(clientDir: string, clientCn = 'app'): Promise<TestPki> {
  const ca = await createCa(`teeinit example test CA ${randomBytes(4).toString('hex')}`);
  const server = await issueCert(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
    usage: 'server',
  });
  const client = await issueCert(ca, { commonName: clientCn, usage: 'client' });
  const clientFiles = {
    ca: join(clientDir, 'ca.crt'),
    cert: join(clientDir, 'client.crt'),
    key: join(clientDir, 'client.key'),
  };
  writeFileSync(clientFiles.ca, ca.cert, { mode: 0o600 });
  writeFileSync(clientFiles.cert, client.cert, { mode: 0o600 });
  writeFileSync(clientFiles.key, client.key, { mode: 0o600 });
  return { ca, server, client, clientFiles };
}

/** The three TLS secrets of an mTLS example, granted to the image in alice's pool. */
export function tlsSecrets(prefix: string, pki: TestPki): SeedSecretSpec[] {
  const members = [imageMember(ALICE.number)];
  return [
    { project: ALICE.project, id: `${prefix}-ca`, data: pki.ca.cert, members },
    { project: ALICE.project, id: `${prefix}-server-cert`, data: pki.server.cert, members },
    { project: ALICE.project, id: `${prefix}-server-key`, data: pki.server.key, members },
  ];
}
