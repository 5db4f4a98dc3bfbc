// The stage entry: keys derived with collaborator names from the config, bundles checked,
// the first bad input stops everything.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCa, issueCert, type Pem } from '../../emulator/pki.js';
import type { Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { deriveAndValidate } from './derive-and-validate.js';
import { DEMO_SHARES } from '../../test/helpers/collaborators.js';

const { alice: ALICE, bob: BOB } = DEMO_SHARES;

let ca: Pem;
let leaf: Pem;
before(async () => {
  const issued = await createCa('stage CA');
  ca = issued;
  leaf = await issueCert(issued, { commonName: 'server', usage: 'server' });
});

function config(): Config {
  const secret = (from: string) => ({ from, source: 'file' as const, path: '/dev/null' });
  return {
    secrets: {
      'a-share': secret('alice'),
      'b-share': secret('bob'),
      ca: secret('alice'),
      'server-cert': secret('alice'),
      'server-key': secret('alice'),
    },
    keys: {
      psk: {
        shares: ['b-share', 'a-share'],
        kdf: 'hkdf-sha256',
        salt: 'teeinit-psk-v1',
        info: 'session-psk',
        length: 32,
      },
      demo: {
        shares: ['a-share', 'b-share'],
        kdf: 'sha256-concat',
        salt: '',
        info: '',
        length: 32,
      },
    },
    tls: { server: { cert: 'server-cert', key: 'server-key', ca: 'ca', usage: 'server' } },
    clockSkew: 60_000,
  } as unknown as Config;
}

function secrets(overrides: Record<string, string> = {}): Map<string, Buffer> {
  const all = {
    'a-share': ALICE,
    'b-share': BOB,
    ca: ca.cert,
    'server-cert': leaf.cert,
    'server-key': leaf.key,
    ...overrides,
  };
  return new Map(Object.entries(all).map(([k, v]) => [k, Buffer.from(v)]));
}

test('derives keys and checks bundles', { timeout: 10000 }, async () => {
  const m = await deriveAndValidate(config(), secrets(), new Date());
  assert.equal(
    m.keys.get('psk')?.toString('hex'),
    '708b8c7c6a589e801d536943b0dba2a235a39012c9793311324500f07b7a345e',
  );
  assert.equal(
    m.keys.get('demo')?.toString('hex'),
    '2f835009708d32bb71a72a0deda737be2049acc6deae0b1ec7ebd4f25bc16b7c',
  );
  assert.equal(m.tls.get('server')?.subject, 'CN=server');
  // What each key was made from, for a later consent check: all of an n-of-n key's shares.
  assert.deepEqual(m.keyOrigins.get('psk'), {
    threshold: 2,
    total: 2,
    shares: [
      { secret: 'a-share', collaborator: 'alice' },
      { secret: 'b-share', collaborator: 'bob' },
    ],
  });
  assert.equal(
    m.secrets.get('a-share')?.toString(),
    ALICE,
    'raw secrets are passed through untouched',
  );
});

test('fails closed on a bad share or a missing secret', { timeout: 10000 }, async () => {
  await assert.rejects(
    () => deriveAndValidate(config(), secrets({ 'b-share': ALICE }), new Date()),
    (e: unknown) => e instanceof TeeinitError && e.code === 'TEEINIT_SHARE_INVALID',
  );
  const missing = secrets();
  missing.delete('ca');
  await assert.rejects(
    () => deriveAndValidate(config(), missing, new Date()),
    (e: unknown) =>
      e instanceof TeeinitError && e.code === 'TEEINIT_INTERNAL' && e.message.includes('"ca"'),
  );
});
