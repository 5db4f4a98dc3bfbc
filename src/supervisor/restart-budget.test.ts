import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBudget, shouldRestart } from './restart-budget.js';

describe('restart policy', () => {
  test('which statuses restart', { timeout: 5000 }, () => {
    const table = [
      ['never', 0, false],
      ['never', 1, false],
      ['on-failure', 0, false],
      ['on-failure', 1, true],
      ['on-failure', 143, true],
      ['always', 0, true],
      ['always', 137, true],
    ] as const;
    for (const [policy, status, expected] of table) {
      assert.equal(shouldRestart(policy, status), expected, `${policy} ${status}`);
    }
  });

  test('backoff doubles up to maxBackoff, then the limit is reached', { timeout: 5000 }, () => {
    const budget = new RestartBudget({
      policy: 'always',
      backoff: 100,
      maxBackoff: 500,
      maxRestarts: 4,
      window: 10_000,
    });
    const delays = [0, 1, 2, 3].map((i) => budget.next(1000 + i)?.delayMs);
    assert.deepEqual(delays, [100, 200, 400, 500]);
    assert.equal(budget.next(1005), undefined);
  });

  test(
    'the window slides: old restarts are forgotten and backoff resets',
    { timeout: 5000 },
    () => {
      const budget = new RestartBudget({
        policy: 'always',
        backoff: 100,
        maxBackoff: 1000,
        maxRestarts: 2,
        window: 1000,
      });
      assert.deepEqual(budget.next(0), { attempt: 1, delayMs: 100 });
      assert.deepEqual(budget.next(600), { attempt: 2, delayMs: 200 });
      assert.equal(budget.next(900), undefined);
      assert.deepEqual(budget.next(1001), { attempt: 2, delayMs: 200 });
      assert.deepEqual(budget.next(5000), { attempt: 1, delayMs: 100 });
    },
  );

  test('maxRestarts 0 never restarts', { timeout: 5000 }, () => {
    const budget = new RestartBudget({
      policy: 'always',
      backoff: 1,
      maxBackoff: 1,
      maxRestarts: 0,
      window: 1000,
    });
    assert.equal(budget.next(), undefined);
  });
});
