/* eslint-disable @typescript-eslint/no-unsafe-call -- tests mutate an untyped config tree */
// A proxy's `attest` block in the config: defaults (the launcher socket follows
// `attestation.socket`, PKI tokens, a 60 s start-up deadline), the policy schema reused
// for `require` and for an SNI entry's own, errors that name the key, and the plan.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { buildPlan } from '../plan/build-plan.js';
import { formatPlan } from '../plan/format-plan.js';
import { loadConfigTree } from './load.js';
import { baseTree } from './test-fixtures.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const AUDIENCE = 'https://ledger.example/attested';

function withAttest(attest: unknown, mutate?: (tree: ReturnType<typeof baseTree>) => void) {
  const tree = baseTree();
  tree.proxies[0].attest = attest;
  mutate?.(tree);
  return tree;
}

function refused(tree: unknown, path: string, message: RegExp): void {
  assert.throws(
    () => loadConfigTree(tree, { baseDir: '/etc/teeinit' }),
    (e: unknown) =>
      e instanceof TeeinitError &&
      e.code === 'TEEINIT_CONFIG_INVALID' &&
      e.message.includes(path) &&
      message.test(e.message),
  );
}

describe('proxies[].attest', { timeout: 10_000 }, () => {
  test('defaults: socket from attestation.socket, PKI, 60 s, the policy filled in', () => {
    const { config } = loadConfigTree(
      withAttest({
        present: { audience: AUDIENCE },
        require: { audience: AUDIENCE, imageDigests: [DIGEST] },
      }),
    );
    const attest = config.proxies[0]?.attest;
    assert.deepEqual(attest?.present, {
      audience: AUDIENCE,
      tokenType: 'PKI',
      socket: '/run/container_launcher/teeserver.sock',
      startupDeadline: 60_000,
    });
    assert.equal(attest?.require?.supportAttribute, 'STABLE');
    assert.equal(attest?.require?.unsafeAllowDebug, false);
    assert.deepEqual(attest?.require?.tokenTypes, ['OIDC', 'PKI']);
    assert.equal(attest?.require?.clockSkew, 60_000);
    assert.ok(Object.isFrozen(attest?.require?.imageDigests));
  });

  test('present.socket follows attestation.socket unless given', () => {
    const tree = withAttest({ present: { audience: AUDIENCE, tokenType: 'OIDC' } }, (t) => {
      t.attestation = { socket: '/var/run/launcher/teeserver.sock' };
      t.proxies.push({
        ...t.proxies[0],
        name: 'other',
        listen: '0.0.0.0:8082',
        attest: { present: { audience: AUDIENCE, socket: '/run/other.sock' } },
      });
    });
    const { config } = loadConfigTree(tree);
    assert.equal(config.proxies[0]?.attest?.present?.socket, '/var/run/launcher/teeserver.sock');
    assert.equal(config.proxies[0]?.attest?.present?.tokenType, 'OIDC');
    assert.equal(config.proxies[1]?.attest?.present?.socket, '/run/other.sock');
  });

  test("a policy's files are relative to the config file", () => {
    const { config } = loadConfigTree(
      withAttest({
        require: {
          audience: AUDIENCE,
          imageDigests: [DIGEST],
          pki: { rootFile: 'roots/cs.pem' },
          oidc: { jwksFile: '/abs/jwks.json' },
        },
      }),
      { baseDir: '/etc/teeinit' },
    );
    assert.equal(config.proxies[0]?.attest?.require?.pki.rootFile, '/etc/teeinit/roots/cs.pem');
    assert.equal(config.proxies[0]?.attest?.require?.oidc.jwksFile, '/abs/jwks.json');
  });

  const bad: [string, unknown, string, RegExp][] = [
    ['an empty block', {}, 'proxies[0].attest', /expected present, require or both/],
    [
      'require without an image pin',
      { require: { audience: AUDIENCE } },
      'proxies[0].attest.require.imageDigests',
      /at least one of imageDigests/,
    ],
    [
      'require without an audience',
      { require: { imageDigests: [DIGEST] } },
      'proxies[0].attest.require.audience',
      /./,
    ],
    [
      'present without an audience',
      { present: { tokenType: 'PKI' } },
      'proxies[0].attest.present.audience',
      /./,
    ],
    [
      'an unknown token type',
      { present: { audience: AUDIENCE, tokenType: 'AWS' } },
      'proxies[0].attest.present.tokenType',
      /OIDC|PKI/,
    ],
    [
      'a relative socket',
      { present: { audience: AUDIENCE, socket: 'teeserver.sock' } },
      'proxies[0].attest.present.socket',
      /absolute path/,
    ],
    [
      'an unknown key',
      { present: { audience: AUDIENCE }, timeout: '5s' },
      'proxies[0].attest',
      /timeout/,
    ],
    [
      'an unknown policy key',
      { require: { audience: AUDIENCE, imageDigests: [DIGEST], imageDigest: DIGEST } },
      'proxies[0].attest.require',
      /imageDigest/,
    ],
    [
      'a malformed digest',
      { require: { audience: AUDIENCE, imageDigests: ['sha256:abc'] } },
      'proxies[0].attest.require.imageDigests[0]',
      /64 lowercase hex/,
    ],
  ];
  for (const [what, attest, path, message] of bad) {
    test(`refused: ${what}`, () => refused(withAttest(attest), path, message));
  }

  describe('mtls-server: an SNI entry may carry its own require', () => {
    const sniTree = (entryAttest: unknown) => {
      const tree = baseTree();
      tree.secrets['bob-ca'] = { from: 'bob', ref: 'projects/bob-proj/secrets/ca/versions/1' };
      tree.proxies[0] = {
        name: 'ingress',
        mode: 'mtls-server',
        listen: '0.0.0.0:8443',
        target: '127.0.0.1:6379',
        tls: 'server',
        authorize: { commonNames: ['client'] },
        sniCa: {
          'bob.example': { ca: 'bob-ca', authorize: { commonNames: ['bob'] }, attest: entryAttest },
        },
        attest: { require: { audience: AUDIENCE, imageDigests: [DIGEST] } },
      };
      return tree;
    };

    test('loads, and the plan shows both policies', () => {
      const other = `sha256:${'cd'.repeat(32)}`;
      const loaded = loadConfigTree(
        sniTree({ require: { audience: AUDIENCE, imageDigests: [other], unsafeAllowDebug: true } }),
      );
      const entry = loaded.config.proxies[0]?.sniCa['bob.example'];
      assert.deepEqual(entry?.attest?.require.imageDigests, [other]);
      const plan = buildPlan(loaded);
      assert.deepEqual(plan.proxies[0]?.attest?.sniRequire?.['bob.example']?.imageDigests, [other]);
      const text = formatPlan(plan, 'text');
      assert.match(text, new RegExp(`attest require: audience ${AUDIENCE}; images ${DIGEST};`));
      assert.match(
        text,
        new RegExp(
          `attest require \\(sni bob\\.example\\): .*images ${other};.*debug images ADMITTED`,
        ),
      );
      assert.match(text, /attest present: nothing/);
    });

    test('refused: an entry attest without require', () => {
      refused(sniTree({}), 'proxies[0].sniCa["bob.example"].attest.require', /./);
    });
  });

  test('plan: what is presented, from which socket, and the policy (text and JSON)', () => {
    const loaded = loadConfigTree(
      withAttest({
        present: { audience: AUDIENCE, tokenType: 'OIDC' },
        require: { audience: AUDIENCE, imageDigests: [DIGEST], projectIds: ['operator-proj'] },
      }),
    );
    const plan = buildPlan(loaded);
    assert.deepEqual(plan.proxies[0]?.attest?.present, {
      audience: AUDIENCE,
      tokenType: 'OIDC',
      socket: '/run/container_launcher/teeserver.sock',
      startupDeadlineMs: 60_000,
    });
    const text = formatPlan(plan, 'text');
    assert.match(
      text,
      /\n {4}attest present: OIDC token for https:\/\/ledger\.example\/attested from \/run\/container_launcher\/teeserver\.sock\n/,
    );
    assert.match(text, /no debug images; .*projects operator-proj/);
    const json = JSON.parse(formatPlan(plan, 'json')) as { proxies: { attest: unknown }[] };
    assert.ok(json.proxies[0]?.attest);
    // A proxy without attest has no attest part.
    const plain = loadConfigTree(baseTree());
    assert.equal(buildPlan(plain).proxies[0]?.attest, undefined);
  });
});
