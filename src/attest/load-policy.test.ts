import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TeeinitError } from '../errors/index.js';
import { loadPolicyFile, parsePolicy } from './load-policy.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('attestation policy schema', () => {
  test('defaults: both token types, Google issuer, STABLE, no debug, confidential hwmodels, 60 s skew', () => {
    const p = parsePolicy({ audience: 'a', imageDigests: [DIGEST] }, '/etc/teeinit');
    assert.deepEqual(p.tokenTypes, ['OIDC', 'PKI']);
    assert.equal(p.issuer, 'https://confidentialcomputing.googleapis.com');
    assert.equal(p.supportAttribute, 'STABLE');
    assert.equal(p.unsafeAllowDebug, false);
    assert.deepEqual(p.hwmodels, ['GCP_AMD_SEV', 'GCP_AMD_SEV_ES', 'GCP_INTEL_TDX']);
    assert.equal(p.clockSkew, 60_000);
    assert.ok(Object.isFrozen(p));
  });

  test('relative jwksFile and rootFile resolve against the policy directory', () => {
    const p = parsePolicy(
      {
        audience: 'a',
        imageDigests: [DIGEST],
        oidc: { jwksFile: 'keys/jwks.json' },
        pki: { rootFile: '../root.pem' },
      },
      '/etc/teeinit/attest',
    );
    assert.equal(p.oidc.jwksFile, '/etc/teeinit/attest/keys/jwks.json');
    assert.equal(p.pki.rootFile, '/etc/teeinit/root.pem');
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    [
      'no image constraint',
      { audience: 'a' },
      /imageDigests: expected at least one of imageDigests/,
    ],
    ['no audience', { imageDigests: [DIGEST] }, /audience/],
    [
      'an unknown key',
      { audience: 'a', imageDigests: [DIGEST], imageDigest: DIGEST },
      /imageDigest/,
    ],
    [
      'a digest without sha256:',
      { audience: 'a', imageDigests: ['c'.repeat(64)] },
      /imageDigests\[0\]: expected "sha256:"/,
    ],
    [
      'discoveryUrl and jwksFile',
      {
        audience: 'a',
        imageDigests: [DIGEST],
        oidc: { discoveryUrl: 'https://x.test/d', jwksFile: 'j' },
      },
      /either oidc.discoveryUrl or oidc.jwksFile/,
    ],
    [
      'an empty tokenTypes',
      { audience: 'a', imageDigests: [DIGEST], tokenTypes: [] },
      /OIDC, PKI or both/,
    ],
    [
      'an unknown support attribute',
      { audience: 'a', imageDigests: [DIGEST], supportAttribute: 'EXPERIMENTAL' },
      /supportAttribute/,
    ],
    ['an audience over 512', { audience: 'x'.repeat(513), imageDigests: [DIGEST] }, /at most 512/],
  ];
  for (const [name, tree, message] of invalid) {
    test(`refuses ${name} (TEEINIT_CONFIG_INVALID naming the key)`, () => {
      assert.throws(
        () => parsePolicy(tree, '/'),
        (e: unknown) =>
          e instanceof TeeinitError &&
          e.code === 'TEEINIT_CONFIG_INVALID' &&
          message.test(e.message),
      );
    });
  }

  test('loadPolicyFile reads YAML; a missing file is TEEINIT_ATTEST_INPUT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teeinit-policy-'));
    try {
      const path = join(dir, 'policy.yaml');
      writeFileSync(
        path,
        `audience: https://peer.test\nimageDigests: [${DIGEST}]\npki: { rootFile: root.pem }\n`,
      );
      assert.equal(loadPolicyFile(path).pki.rootFile, join(dir, 'root.pem'));
      assert.throws(
        () => loadPolicyFile(join(dir, 'absent.yaml')),
        (e: unknown) => e instanceof TeeinitError && e.code === 'TEEINIT_ATTEST_INPUT',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
