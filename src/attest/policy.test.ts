import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttestPolicyInput } from '../config/schema/attest.js';
import { parsePolicy } from './load-policy.js';
import { checkPolicy } from './policy.js';
import { AttestRefusal } from './reasons.js';
import type { Claims } from './claims.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const REF = `us-docker.pkg.dev/p/r/app@${DIGEST}`;

// A production token's claims (the shape of gcp-wire.md §1), with `patch` merged over it.
function claims(
  patch: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
): Claims {
  return {
    iss: 'https://confidentialcomputing.googleapis.com',
    aud: 'https://peer.test',
    swname: 'CONFIDENTIAL_SPACE',
    secboot: true,
    dbgstat: 'disabled-since-boot',
    hwmodel: 'GCP_INTEL_TDX',
    google_service_accounts: ['wl@op.iam.gserviceaccount.com'],
    submods: {
      container: {
        image_digest: DIGEST,
        image_reference: REF,
        image_signatures: [
          { key_id: 'kid-1', signature: 'x', signature_algorithm: 'ECDSA_P256_SHA256' },
        ],
        ...container,
      },
      gce: { project_id: 'op-proj' },
      confidential_space: { support_attributes: ['LATEST', 'STABLE', 'USABLE'] },
    },
    ...patch,
  };
}

const policy = (extra: Partial<AttestPolicyInput> = {}) =>
  parsePolicy({ audience: 'https://peer.test', imageDigests: [DIGEST], ...extra }, '/');

describe('policy', () => {
  const cases: [string, Claims, Partial<AttestPolicyInput>, RegExp | undefined][] = [
    ['a production token on the list', claims(), {}, undefined],
    ['aud as an array', claims({ aud: ['x', 'https://peer.test'] }), {}, undefined],
    ['another issuer', claims({ iss: 'https://evil.test' }), {}, /issuer https:\/\/evil\.test/],
    ['another audience', claims({ aud: 'https://sts.googleapis.com' }), {}, /audience .* is not/],
    ['swname GCE', claims({ swname: 'GCE' }), {}, /swname GCE/],
    ['secure boot off', claims({ secboot: false }), {}, /secboot/],
    ['a debug image', claims({ dbgstat: 'enabled' }), {}, /debug image/],
    [
      'a debug image, allowed (unsafe), support attribute waived',
      claims({
        dbgstat: 'enabled',
        submods: { container: { image_digest: DIGEST }, confidential_space: {} },
      }),
      { unsafeAllowDebug: true, supportAttribute: 'unsafe-any' },
      undefined,
    ],
    [
      'no STABLE',
      claims({
        submods: {
          container: { image_digest: DIGEST },
          confidential_space: { support_attributes: ['USABLE'] },
        },
      }),
      {},
      /lack STABLE/,
    ],
    [
      'USABLE chosen and present',
      claims({
        submods: {
          container: { image_digest: DIGEST },
          confidential_space: { support_attributes: ['USABLE'] },
        },
      }),
      { supportAttribute: 'USABLE' },
      undefined,
    ],
    [
      'LATEST chosen, absent',
      claims({
        submods: {
          container: { image_digest: DIGEST },
          confidential_space: { support_attributes: ['STABLE', 'USABLE'] },
        },
      }),
      { supportAttribute: 'LATEST' },
      /lack LATEST/,
    ],
    [
      'a shielded VM',
      claims({ hwmodel: 'GCP_SHIELDED_VM' }),
      {},
      /hwmodel GCP_SHIELDED_VM is not listed/,
    ],
    [
      'a hwmodel list',
      claims({ hwmodel: 'GCP_AMD_SEV' }),
      { hwmodels: ['GCP_INTEL_TDX'] },
      /hwmodel GCP_AMD_SEV/,
    ],
    [
      'a digest not listed',
      claims({}, { image_digest: OTHER }),
      {},
      /image digest sha256:b+ is not listed/,
    ],
    [
      'a reference prefix',
      claims(),
      { imageDigests: [], imageReferencePrefixes: ['us-docker.pkg.dev/p/r/'] },
      undefined,
    ],
    [
      'a reference prefix not matched',
      claims(),
      { imageDigests: [], imageReferencePrefixes: ['us-docker.pkg.dev/q/'] },
      /matches no listed prefix/,
    ],
    [
      'a signature key id',
      claims(),
      { imageDigests: [], imageSignatureKeyIds: ['kid-1'] },
      undefined,
    ],
    [
      'a signature key id not present',
      claims(),
      { imageDigests: [], imageSignatureKeyIds: ['kid-2'] },
      /no image signature/,
    ],
    [
      'no image_signatures at all',
      claims({}, { image_signatures: undefined }),
      { imageDigests: [], imageSignatureKeyIds: ['kid-1'] },
      /no image signature/,
    ],
    [
      'a service account listed',
      claims(),
      { serviceAccounts: ['wl@op.iam.gserviceaccount.com'] },
      undefined,
    ],
    [
      'no service account listed',
      claims(),
      { serviceAccounts: ['other@op.iam.gserviceaccount.com'] },
      /service accounts/,
    ],
    ['a project listed', claims(), { projectIds: ['op-proj'] }, undefined],
    [
      'a project not listed',
      claims(),
      { projectIds: ['alice-proj'] },
      /project op-proj is not listed/,
    ],
    [
      'digest AND prefix: both must hold',
      claims({}, { image_digest: OTHER }),
      { imageReferencePrefixes: ['us-docker.pkg.dev/p/'] },
      /image digest/,
    ],
  ];
  for (const [name, c, extra, failure] of cases) {
    test(`${name}: ${failure === undefined ? 'admitted' : 'refused'}`, () => {
      const run = (): void => checkPolicy(c, policy(extra), 'OIDC');
      if (failure === undefined) run();
      else {
        assert.throws(
          run,
          (e: unknown) =>
            e instanceof AttestRefusal &&
            e.reason === 'attestation-policy' &&
            failure.test(e.detail),
        );
      }
    });
  }

  test('a token type not in tokenTypes', () => {
    assert.throws(
      () => checkPolicy(claims(), policy({ tokenTypes: ['OIDC'] }), 'PKI'),
      /token type PKI/,
    );
  });

  test('claim values in details are printable and bounded', () => {
    assert.throws(
      () => checkPolicy(claims({ swname: `X\n${'y'.repeat(500)}` }), policy(), 'OIDC'),
      (e: unknown) =>
        e instanceof AttestRefusal && !e.detail.includes('\n') && e.detail.length < 220,
    );
  });
});
