import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toExitStatus } from './exit-status.js';

test('exit codes pass through and signal deaths are 128+n', { timeout: 5000 }, () => {
  const table = [
    [0, null, 0],
    [3, null, 3],
    [255, null, 255],
    [null, 'SIGTERM', 143],
    [null, 'SIGKILL', 137],
    [null, 'SIGINT', 130],
    [null, 'SIGHUP', 129],
    [null, 'SIGQUIT', 131],
    [null, 'SIGSEGV', 139],
  ] as const;
  for (const [code, signal, status] of table) {
    assert.equal(toExitStatus(code, signal), status, `${code} ${signal}`);
  }
});
