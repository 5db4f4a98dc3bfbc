// The one classification of failures, table by table: what each answer of Secret Manager,
// the STS, IAM credentials and the launcher means for a retry.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyIamCredentials,
  classifyLauncher,
  classifySecretManager,
  classifySts,
  classifyTransport,
  failureOf,
  withFailure,
  type FailureKind,
} from './failure.js';

const T = { timeout: 5_000 };

describe('failure kinds', () => {
  test('Secret Manager: only UNAVAILABLE and RESOURCE_EXHAUSTED are outages (AIP-194)', T, () => {
    const cases: [number, string | undefined, FailureKind][] = [
      [503, 'UNAVAILABLE', 'outage'],
      [429, 'RESOURCE_EXHAUSTED', 'outage'],
      [500, 'INTERNAL', 'refusal'],
      [504, 'DEADLINE_EXCEEDED', 'refusal'],
      [408, undefined, 'refusal'],
      [502, undefined, 'refusal'],
      [403, 'PERMISSION_DENIED', 'denied'],
      [401, 'UNAUTHENTICATED', 'credential'],
      [404, 'NOT_FOUND', 'refusal'],
      [400, 'FAILED_PRECONDITION', 'refusal'],
      [400, 'INVALID_ARGUMENT', 'refusal'],
    ];
    for (const [http, rpc, kind] of cases) {
      assert.equal(classifySecretManager(http, rpc), kind, `${http} ${rpc ?? ''}`);
    }
  });

  test('STS, IAM credentials, launcher, transport', T, () => {
    assert.equal(classifySts(400), 'refusal');
    assert.equal(classifySts(401), 'refusal');
    assert.equal(classifySts(429), 'outage');
    assert.equal(classifySts(500), 'outage');
    assert.equal(classifyIamCredentials(403), 'denied');
    assert.equal(classifyIamCredentials(401), 'credential');
    assert.equal(classifyIamCredentials(404), 'refusal');
    assert.equal(classifyIamCredentials(503), 'outage');
    assert.equal(classifyLauncher(500), 'outage');
    assert.equal(classifyLauncher(400), 'refusal');
    assert.equal(classifyTransport('ECONNRESET'), 'outage');
    assert.equal(classifyTransport('ECONNREFUSED'), 'outage');
    assert.equal(classifyTransport(undefined), 'outage');
    assert.equal(classifyTransport('ENOENT'), 'refusal');
  });

  test('an error carries its kind', T, () => {
    const e = withFailure(new Error('x'), 'denied');
    assert.equal(failureOf(e), 'denied');
    assert.equal(failureOf(new Error('y')), undefined);
    assert.equal(failureOf('text'), undefined);
  });
});
