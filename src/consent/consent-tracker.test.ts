// Consent from refresh cycles, table-driven: which failures are evidence (403, NOT_FOUND,
// FAILED_PRECONDITION, IAM 403/404, STS unauthorized_client/invalid_target/invalid_grant)
// and which never are (5xx, 429, network, 401, corrupt, our own launcher); counting over
// confirmations, a success resetting, an outage-only cycle neither counting nor resetting,
// revocation final; the likely cause from the refused token's claims.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError, type ErrorCode } from '../errors/index.js';
import { withTokenClaims } from '../identity/index.js';
import { withFailure, type FailureKind } from '../retry/index.js';
import { ConsentTracker } from './consent-tracker.js';
import { revocationEvidence } from './likely-cause.js';

const err = (
  code: ErrorCode,
  kind: FailureKind,
  fields: Record<string, string | number> = {},
): TeeinitError => withFailure(new TeeinitError(code, 'refused', { fields }), kind);

const STABLE = {
  imageDigest: 'sha256:' + 'a'.repeat(64),
  supportAttributes: ['LATEST', 'STABLE', 'USABLE'],
  dbgstat: 'disabled-since-boot',
};

describe('revocation evidence and its likely cause', { timeout: 5000 }, () => {
  const cases: [string, TeeinitError, string | undefined][] = [
    ['Secret Manager 403', err('TEEINIT_PERMISSION_DENIED', 'denied'), 'binding-removed'],
    ['Secret Manager 404', err('TEEINIT_SECRET_NOT_FOUND', 'refusal'), 'secret-deleted'],
    ['FAILED_PRECONDITION', err('TEEINIT_SECRET_DISABLED', 'refusal'), 'version-disabled'],
    [
      'IAM 403',
      err('TEEINIT_IMPERSONATION_DENIED', 'denied', { status: 403 }),
      'impersonation-binding-removed',
    ],
    [
      'IAM 404',
      err('TEEINIT_IMPERSONATION_DENIED', 'refusal', { status: 404 }),
      'service-account-deleted',
    ],
    [
      'STS invalid_target',
      err('TEEINIT_IDENTITY_REJECTED', 'refusal', { oauthError: 'invalid_target' }),
      'provider-disabled',
    ],
    [
      'STS invalid_grant',
      err('TEEINIT_IDENTITY_REJECTED', 'refusal', { oauthError: 'invalid_grant' }),
      'token-refused',
    ],
    [
      'STS unauthorized_client, STABLE token',
      withTokenClaims(
        err('TEEINIT_IDENTITY_REJECTED', 'refusal', { oauthError: 'unauthorized_client' }),
        STABLE,
      ),
      'claims-refused',
    ],
    [
      'STS unauthorized_client, token without STABLE',
      withTokenClaims(
        err('TEEINIT_IDENTITY_REJECTED', 'refusal', { oauthError: 'unauthorized_client' }),
        { ...STABLE, supportAttributes: ['LATEST'] },
      ),
      'image-not-stable',
    ],
    // Never evidence:
    ['Secret Manager 503', err('TEEINIT_SECRET_UNAVAILABLE', 'outage'), undefined],
    ['Secret Manager 500', err('TEEINIT_SECRET_UNAVAILABLE', 'refusal'), undefined],
    ['network', err('TEEINIT_NETWORK', 'outage'), undefined],
    ['timeout', err('TEEINIT_DEADLINE_EXCEEDED', 'outage'), undefined],
    ['401', err('TEEINIT_UNAUTHENTICATED', 'credential'), undefined],
    ['CRC32C', err('TEEINIT_SECRET_CHECKSUM', 'corrupt'), undefined],
    ['the launcher', err('TEEINIT_TOKEN_UNAVAILABLE', 'refusal'), undefined],
    [
      'STS invalid_request (our request)',
      err('TEEINIT_IDENTITY_REJECTED', 'refusal', { oauthError: 'invalid_request' }),
      undefined,
    ],
    ['an unmarked 403', new TeeinitError('TEEINIT_PERMISSION_DENIED', 'x'), undefined],
  ];
  for (const [what, error, cause] of cases) {
    test(`${what}: ${cause ?? 'not evidence'}`, () => {
      assert.equal(revocationEvidence(error)?.code, cause);
    });
  }

  test('the ageing image: the cause says to roll the VM and names the claims, not the token', () => {
    const error = withTokenClaims(
      err('TEEINIT_IDENTITY_REJECTED', 'refusal', { oauthError: 'unauthorized_client' }),
      { ...STABLE, supportAttributes: ['LATEST', 'USABLE'] },
    );
    const text = revocationEvidence(error)?.text ?? '';
    assert.match(text, /no longer STABLE-supported: roll the VM to a current image/);
    assert.match(text, /support_attributes \[LATEST, USABLE\]/);
    assert.match(text, /dbgstat disabled-since-boot/);
  });
});

describe('consent tracker', { timeout: 5000 }, () => {
  const denied = (): TeeinitError => err('TEEINIT_PERMISSION_DENIED', 'denied', { secret: 's' });
  const outage = (): TeeinitError => err('TEEINIT_SECRET_UNAVAILABLE', 'outage');

  test('confirmations refused cycles in a row revoke, once; the state says refusing before', () => {
    const t = new ConsentTracker(['alice', 'bob'], 3);
    for (let cycle = 1; cycle <= 2; cycle++) {
      t.observe('a', 'alice');
      t.observe('b', 'bob', denied());
      assert.deepEqual(t.endCycle(), []);
      assert.equal(t.get('bob')?.state, 'refusing');
      assert.equal(t.get('bob')?.count, cycle);
    }
    t.observe('b', 'bob', denied());
    assert.deepEqual(t.endCycle(), ['bob']);
    assert.equal(t.get('bob')?.state, 'revoked');
    assert.equal(t.get('bob')?.lastRefusal?.cause, 'binding-removed');
    assert.equal(t.get('alice')?.state, 'consenting');
    // Final: a later success changes nothing, and it is never reported again.
    t.observe('b', 'bob');
    assert.deepEqual(t.endCycle(), []);
    assert.equal(t.get('bob')?.state, 'revoked');
  });

  test('a success resets; a cycle with only outages neither counts nor resets', () => {
    const t = new ConsentTracker(['bob'], 2);
    t.observe('b', 'bob', denied());
    t.endCycle();
    t.observe('b', 'bob', outage());
    t.endCycle();
    assert.equal(t.get('bob')?.count, 1, 'the outage did not reset');
    assert.equal(t.get('bob')?.state, 'refusing');
    t.observe('b', 'bob');
    t.endCycle();
    assert.equal(t.get('bob')?.count, 0);
    assert.equal(t.get('bob')?.state, 'consenting');
    t.observe('b', 'bob', denied());
    assert.deepEqual(t.endCycle(), []);
    t.observe('b', 'bob', denied());
    assert.deepEqual(t.endCycle(), ['bob']);
  });

  test('a refusal beside a fetched secret of the same collaborator does not count', () => {
    const t = new ConsentTracker(['bob'], 1);
    t.observe('b1', 'bob', denied());
    t.observe('b2', 'bob');
    assert.deepEqual(t.endCycle(), []);
    assert.equal(t.get('bob')?.state, 'consenting');
  });

  test('an outage storm of any length never revokes', () => {
    const t = new ConsentTracker(['alice'], 3);
    for (let i = 0; i < 20; i++) {
      t.observe('a', 'alice', outage());
      t.observe('a2', 'alice', err('TEEINIT_UNAUTHENTICATED', 'credential'));
      assert.deepEqual(t.endCycle(), []);
    }
    assert.equal(t.get('alice')?.state, 'consenting');
    assert.equal(t.get('alice')?.refusals, 0);
  });
});
