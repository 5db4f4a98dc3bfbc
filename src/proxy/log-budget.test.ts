import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogBudget } from './log-budget.js';

test(
  'log budget: limit per window, then one summary by reason when the next window starts',
  { timeout: 5000 },
  () => {
    let now = 0;
    const budget = new LogBudget(3, 1000, () => now);
    const allowed = ['a', 'a', 'b', 'a', 'b', 'b'].map((r) => budget.take(r).allowed);
    assert.deepEqual(allowed, [true, true, true, false, false, false]);
    now = 1000;
    const next = budget.take('c');
    assert.equal(next.allowed, true);
    assert.deepEqual(next.flushed, { count: 3, byReason: { a: 1, b: 2 } });
    assert.equal(budget.flush(), undefined, 'a summary is given once');
    for (let i = 0; i < 5; i++) budget.take('d');
    assert.deepEqual(budget.flush(), { count: 3, byReason: { d: 3 } });
  },
);
