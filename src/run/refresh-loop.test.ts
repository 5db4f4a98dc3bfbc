// Refresh timing: waits stay within [interval - jitter, interval]; retries double from
// backoff, are capped by maxBackoff and by interval, and are spread over the upper half.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextInterval, retryDelay } from './refresh-loop.js';

const refresh = {
  interval: 60_000,
  jitter: 6_000,
  deadline: 10_000,
  retry: { backoff: 1_000, maxBackoff: 20_000 },
  revocation: { confirmations: 3 },
};

describe('refresh timing', { timeout: 5_000 }, () => {
  test('nextInterval is interval minus up to jitter', () => {
    assert.equal(
      nextInterval(refresh, () => 0),
      60_000,
    );
    assert.equal(
      nextInterval(refresh, () => 0.5),
      57_000,
    );
    assert.equal(
      nextInterval(refresh, () => 0.999999),
      54_000,
    );
    assert.equal(nextInterval({ ...refresh, jitter: 0 }), 60_000);
  });

  test('retryDelay doubles, is capped, and is spread over the upper half', () => {
    const top = () => 0;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 100].map((n) => retryDelay(refresh, n, top)),
      [1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000],
    );
    assert.equal(retryDelay({ ...refresh, interval: 3_000 }, 5, top), 3_000);
    assert.equal(
      retryDelay(refresh, 3, () => 0.5),
      3_000,
    );
    assert.equal(
      retryDelay(refresh, 6, () => 0.999999),
      10_000,
    );
    for (let i = 0; i < 100; i += 1) {
      const d = retryDelay(refresh, 4);
      assert.ok(d >= 4_000 && d <= 8_000, String(d));
    }
  });
});
