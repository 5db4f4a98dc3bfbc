// The threshold-key setup of the run tests: a third collaborator (carol, her own project,
// pool and provider, as the emulator's default world gives alice and bob), a 2-of-3 split
// made with `teeinit shares split`, its files stored as each collaborator's secret, the
// config that names them, and the key a client derives with docs/psk.md's recipe.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import type { DemoWorld } from '../../emulator/demo-world.js';
import {
  CONFIDENTIAL_SPACE_MAPPING,
  DEFAULT_POOL,
  DEFAULT_PROVIDER,
  STS_AUDIENCE,
  confidentialSpaceCondition,
  imagePrincipalSet,
} from '../../emulator/default-world.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import { runCli } from '../cli/cli-helpers.js';
import { opensslHkdf } from '../helpers/openssl-hkdf.js';
import { connectPsk } from '../helpers/psk-client.js';

export const COLLABORATORS = {
  alice: { project: 'alice-proj', number: '111111111111' },
  bob: { project: 'bob-proj', number: '222222222222' },
  carol: { project: 'carol-proj', number: '444444444444' },
} as const;
export type Who = keyof typeof COLLABORATORS;
export const WHO: readonly Who[] = ['alice', 'bob', 'carol'];

/** What the tests know: the share lines (secret values), the PSK, the key id. */
export interface ThresholdShares {
  /** Share file content per collaborator, as stored (version 1 of `<who>-q`). */
  readonly lines: Readonly<Record<Who, string>>;
  /** The PSK a client derives (hkdf, default salt, info `quorum-psk`, 32 bytes). */
  readonly psk: Buffer;
  readonly keyId: string;
  /** Everything to grep outputs for: share lines, the other split's share, the secret. */
  readonly values: readonly (string | Buffer)[];
}

const ACCESSOR = 'roles/secretmanager.secretAccessor';

/** Adds carol: project, pool/provider admitting the demo image. */
export function addCarol(world: DemoWorld): void {
  const { store } = world.emulator;
  store.addProject({ id: COLLABORATORS.carol.project, number: COLLABORATORS.carol.number });
  store.providers.push({
    projectNumber: COLLABORATORS.carol.number,
    poolId: DEFAULT_POOL,
    providerId: DEFAULT_PROVIDER,
    attributeMapping: { ...CONFIDENTIAL_SPACE_MAPPING },
    attributeCondition: confidentialSpaceCondition(DEFAULT_IMAGE_DIGEST),
    allowedAudiences: [STS_AUDIENCE],
  });
}

/** `teeinit shares split --threshold 2 --shares 3 --out DIR`. */
const splitTwoOfThree = (out: string) =>
  runCli(['shares', 'split', '--threshold', '2', '--shares', '3', '--out', out]);

/**
 * Splits with `teeinit shares split` into `dir`, then stores, for each collaborator:
 * `<who>-q` version 1 its share file (granted to the image), version 2 a share of another
 * split, version 3 a plain hex share (malformed for a threshold key), and `<who>-q-denied`
 * version 1 its share with no grant (PERMISSION_DENIED).
 */
export async function seedThresholdShares(world: DemoWorld, dir: string): Promise<ThresholdShares> {
  const split = await splitTwoOfThree(dir);
  assert.equal(split.code, 0, split.stderr);
  const keyId = /^key id: ([0-9a-f]{16})$/m.exec(split.stdout)?.[1] ?? '';
  const file = (i: number): string => join(dir, `share-${i}-of-3`);
  const lines = Object.fromEntries(
    WHO.map((who, i) => [who, readFileSync(file(i + 1), 'latin1')]),
  ) as Record<Who, string>;
  const otherDir = join(dir, 'other');
  const other = await splitTwoOfThree(otherDir);
  assert.equal(other.code, 0, other.stderr);
  const otherLines = WHO.map((_, i) =>
    readFileSync(join(otherDir, `share-${i + 1}-of-3`), 'latin1'),
  );
  const plain = randomBytes(32).toString('hex');
  applySeed(
    world.emulator.store,
    parseSeedDocument({
      secrets: WHO.flatMap((who, i) => {
        const { project, number } = COLLABORATORS[who];
        const grant = [
          {
            role: ACCESSOR,
            members: [imagePrincipalSet(number, DEFAULT_POOL, DEFAULT_IMAGE_DIGEST)],
          },
        ];
        return [
          {
            project,
            id: `${who}-q`,
            versions: [{ data: lines[who] }, { data: otherLines[i] }, { data: plain }],
            bindings: grant,
          },
          { project, id: `${who}-q-denied`, versions: [{ data: lines[who] }], bindings: [] },
        ];
      }),
    }),
    Date.now,
  );
  const psk = await clientKey(file(1), file(3), join(dir, 'client'));
  return { lines, psk, keyId, values: [...Object.values(lines), ...otherLines, plain, psk] };
}

/**
 * docs/psk.md#clients: `teeinit shares combine --write-secret`, then `openssl kdf` for the
 * HKDF step; checked against `--write-psk`, the other recipe.
 */
async function clientKey(a: string, b: string, prefix: string): Promise<Buffer> {
  const secretFile = `${prefix}-secret.bin`;
  const pskFile = `${prefix}-psk.bin`;
  const combined = await runCli(['shares', 'combine', a, b, '--write-secret', secretFile]);
  assert.equal(combined.code, 0, combined.stderr);
  const hex = await opensslHkdf(readFileSync(secretFile).toString('hex'), 'quorum-psk');
  const psk = Buffer.from(hex, 'hex');
  const direct = await runCli([
    'shares',
    'combine',
    a,
    b,
    '--write-psk',
    pskFile,
    '--info',
    'quorum-psk',
  ]);
  assert.equal(direct.code, 0, direct.stderr);
  assert.ok(readFileSync(pskFile).equals(psk), 'both client recipes give one PSK');
  return psk;
}

/**
 * The config part for carol and the 2-of-3 key `quorum-psk`; `refs` picks each share's
 * secret and version (default `<who>-q` version 1).
 */
export function thresholdConfig(
  world: DemoWorld,
  refs: Partial<Record<Who, string>> = {},
): {
  collaborators: Record<string, unknown>;
  secrets: Record<string, unknown>;
  key: Record<string, unknown>;
} {
  const base = world.configBase as {
    collaborators: Record<string, unknown>;
    secrets: Record<string, unknown>;
  };
  return {
    collaborators: {
      ...base.collaborators,
      carol: { provider: world.emulator.providerAudience(COLLABORATORS.carol.project) },
    },
    secrets: {
      ...base.secrets,
      ...Object.fromEntries(
        WHO.map((who) => [
          `${who}-q`,
          {
            from: who,
            ref: `projects/${COLLABORATORS[who].project}/secrets/${refs[who] ?? `${who}-q/versions/1`}`,
          },
        ]),
      ),
    },
    key: { shares: WHO.map((who) => `${who}-q`), threshold: 2 },
  };
}

/** One TLS 1.3 PSK connection: sends `text`, resolves what the echo sent back. */
export function pskEcho(
  port: number,
  identity: string,
  key: Buffer,
  text: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = connectPsk(port, identity, key);
    socket.once('secureConnect', () => socket.write(text));
    socket.setEncoding('utf8').on('data', (d: string) => {
      got += d;
      if (got.length >= text.length) socket.end();
    });
    socket.once('error', reject);
    socket.once('close', () => (got === text ? resolve(got) : reject(new Error(`got "${got}"`))));
  });
}
