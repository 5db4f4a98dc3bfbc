// The start-up grace for PERMISSION_DENIED: one warning per refused secret or service
// account, waits within the grace only, the deadline extended once, and a final error that
// says what was waited and which key to raise.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TeeinitError } from '../errors/index.js';
import { captureLogger } from '../../test/helpers/capture-logger.js';
import { startPermissionGrace } from './permission-grace.js';

const T = { timeout: 5_000 };
const POLICY = { initialBackoff: 100, maxBackoff: 1000, callTimeout: 500 };

describe('permission grace', () => {
  test('0 means no grace at all', T, () => {
    const log = captureLogger();
    const grace = startPermissionGrace({
      graceMs: 0,
      policy: POLICY,
      logger: log.logger,
      secretsOf: () => [],
      extendDeadline: () => assert.fail('no extension without a grace'),
    });
    assert.equal(grace, undefined);
  });

  test('waits within the grace, warns once per refusal, then gives up', T, () => {
    let now = 1_000_000;
    const log = captureLogger();
    const extensions: [number, string][] = [];
    const grace = startPermissionGrace({
      graceMs: 10_000,
      policy: POLICY,
      logger: log.logger,
      secretsOf: (c) => (c === 'bob' ? ['bob-share', 'bob-key'] : []),
      extendDeadline: (ms, by) => extensions.push([ms, by]),
      now: () => now,
    });
    assert.ok(grace);
    const denied = new TeeinitError('TEEINIT_PERMISSION_DENIED', 'Permission denied on "ca".', {
      fields: { secret: 'ca' },
    });
    const sa = new TeeinitError('TEEINIT_IMPERSONATION_DENIED', 'Impersonating r was refused.');
    for (let retry = 1; retry <= 5; retry++) {
      const wait = grace.nextTry({ collaborator: 'alice', secret: 'ca' }, denied, retry);
      assert.ok(wait !== undefined && wait >= 0 && wait <= 1000, `wait ${wait}`);
      now += 1000;
    }
    grace.nextTry({ collaborator: 'bob', serviceAccount: 'r@bob' }, sa, 1);
    now = 1_000_000 + 9_950;
    assert.equal(
      grace.nextTry({ collaborator: 'alice', secret: 'ca' }, denied, 6)! <= 50,
      true,
      'the last wait ends with the grace',
    );
    now = 1_000_000 + 10_000;
    assert.equal(grace.nextTry({ collaborator: 'alice', secret: 'ca' }, denied, 7), undefined);
    assert.deepEqual(extensions, [[10_500, 'fetch.permissionGrace']]);
    const warnings = log.records().filter((r) => r.severity === 'WARNING');
    assert.equal(warnings.length, 2);
    assert.equal(warnings[0]?.secret, 'ca');
    assert.equal(warnings[0]?.key, 'fetch.permissionGrace');
    assert.match(String(warnings[0]?.reason), /propagat/);
    assert.equal(warnings[1]?.serviceAccount, 'r@bob');
    assert.equal(warnings[1]?.secrets, 'bob-share,bob-key');
    const final = grace.exhausted(denied);
    assert.equal(final.code, 'TEEINIT_PERMISSION_DENIED');
    assert.match(final.message, /^Permission denied on "ca"\. Still refused after 10 s/);
    assert.match(final.hint, /raise fetch\.permissionGrace \(now 10 s\)/);
    assert.equal(final.fields.secret, 'ca');
  });
});
