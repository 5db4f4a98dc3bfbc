// startDeadline: the expiry error names the key and picks its code; the parent's reason,
// an early abort and dispose behave as the fetch stage and the refresh cycle rely on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TeeinitError } from '../errors/index.js';
import { startDeadline, type DeadlineKey } from './deadline.js';

const expiry = (signal: AbortSignal): Promise<unknown> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));

describe('startDeadline', { timeout: 5000 }, () => {
  const cases: [DeadlineKey, string][] = [
    ['fetch.startupDeadline', 'TEEINIT_STARTUP_DEADLINE'],
    ['refresh.deadline', 'TEEINIT_REFRESH_DEADLINE'],
  ];
  for (const [key, code] of cases) {
    test(`${key} expires as ${code}, naming the key`, { timeout: 2000 }, async () => {
      const d = startDeadline(undefined, 20, { key, what: 'Fetching secrets' });
      const reason = await expiry(d.signal);
      d.dispose();
      assert.ok(reason instanceof TeeinitError);
      assert.equal(reason.code, code);
      assert.equal(reason.message, `Fetching secrets did not finish within ${key} (20 ms).`);
      assert.equal(reason.fields.deadline, key);
    });
  }

  test('detail is read at expiry and ends the message', { timeout: 2000 }, async () => {
    let pending = 'a, b';
    const d = startDeadline(undefined, 20, {
      key: 'refresh.deadline',
      what: 'Fetching secrets',
      detail: () => ({ text: `; still waiting for: ${pending}.`, fields: { pending } }),
    });
    pending = 'b';
    const reason = await expiry(d.signal);
    d.dispose();
    assert.ok(reason instanceof TeeinitError);
    assert.match(reason.message, /\(20 ms\); still waiting for: b\.$/);
    assert.equal(reason.fields.pending, 'b');
  });

  test(
    'extend moves the expiry later (never earlier) and names who did',
    { timeout: 3000 },
    async () => {
      const d = startDeadline(undefined, 40, {
        key: 'fetch.startupDeadline',
        what: 'Fetching secrets',
      });
      const started = Date.now();
      d.extend(10, 'ignored');
      d.extend(200, 'fetch.permissionGrace');
      const reason = await expiry(d.signal);
      d.dispose();
      assert.ok(Date.now() - started >= 190, `expired after ${Date.now() - started} ms`);
      assert.ok(reason instanceof TeeinitError);
      assert.equal(
        reason.message,
        'Fetching secrets did not finish within fetch.startupDeadline (extended to 200 ms by fetch.permissionGrace).',
      );
    },
  );

  test('the parent reason wins, the first abort sticks, dispose stops the timer', () => {
    const parent = new AbortController();
    const d = startDeadline(parent.signal, 10_000, { key: 'refresh.deadline', what: 'x' });
    parent.abort(new Error('stopped'));
    d.abort(new Error('later'));
    assert.match(String(d.signal.reason), /stopped/);
    d.dispose();

    const early = startDeadline(undefined, 10_000, { key: 'refresh.deadline', what: 'x' });
    early.abort(new Error('first failure'));
    assert.match(String(early.signal.reason), /first failure/);
    early.dispose(); // no open timer keeps the test alive
  });
});
