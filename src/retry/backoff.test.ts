// Backoff delays stay within the full-jitter envelope; sleep and abortable honour signals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { abortable, backoffDelay, sleep } from './backoff.js';

const policy = { initialBackoff: 100, maxBackoff: 1000 };

describe('backoffDelay', () => {
  const cases: [retry: number, ceiling: number][] = [
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [30, 1000],
  ];
  for (const [retry, ceiling] of cases) {
    test(`retry ${retry} is within [0, ${ceiling})`, { timeout: 1000 }, () => {
      assert.equal(
        backoffDelay(policy, retry, () => 0),
        0,
      );
      assert.equal(
        backoffDelay(policy, retry, () => 0.999999),
        ceiling - 1,
      );
      const d = backoffDelay(policy, retry);
      assert.ok(d >= 0 && d < ceiling);
    });
  }
});

describe('sleep and abortable', () => {
  test('sleep rejects with the abort reason at once', { timeout: 2000 }, async () => {
    const ctl = new AbortController();
    const started = Date.now();
    const p = sleep(10_000, ctl.signal);
    ctl.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    assert.ok(Date.now() - started < 1000);
  });

  test('abortable settles like the promise when not aborted', { timeout: 2000 }, async () => {
    assert.equal(await abortable(Promise.resolve(7), new AbortController().signal), 7);
    const ctl = new AbortController();
    const never = new Promise<number>(() => undefined);
    const p = abortable(never, ctl.signal);
    ctl.abort(new Error('cancelled'));
    await assert.rejects(p, /cancelled/);
  });
});
