// The admin token check: only the exact `Bearer <token>` header passes, whatever the length
// of what was sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAdminAuthorization } from './admin.js';

test('isAdminAuthorization accepts only the exact Bearer header', { timeout: 5_000 }, () => {
  const token = 'ya29.emu-abcdef';
  assert.equal(isAdminAuthorization(`Bearer ${token}`, token), true);
  for (const header of [
    undefined,
    '',
    token,
    `Bearer ${token.slice(0, -1)}x`, // same length, last byte differs
    `Bearer ${token}x`,
    `bearer ${token}`,
    `Bearer ${token.slice(0, 4)}`,
  ]) {
    assert.equal(isAdminAuthorization(header, token), false, String(header));
  }
});
