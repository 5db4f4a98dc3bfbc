// The token's exp is read without verification: expired tokens and non-JWTs are our errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TeeinitError } from '../errors/index.js';
import { assertTokenFresh } from './jwt-expiry.js';

function jwt(claims: object): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'RS256', kid: 'k' })}.${enc(claims)}.c2ln`;
}

const isCode = (code: string) => (e: unknown) => e instanceof TeeinitError && e.code === code;

describe('assertTokenFresh', () => {
  const now = 1_700_000_000_000;
  test('fresh token passes and returns its times', { timeout: 1000 }, () => {
    const t = assertTokenFresh(jwt({ iat: now / 1000, exp: now / 1000 + 3600 }), 'test', now);
    assert.equal(t.exp, now / 1000 + 3600);
  });
  test('expired token is TEEINIT_TOKEN_EXPIRED', { timeout: 1000 }, () => {
    assert.throws(
      () => assertTokenFresh(jwt({ exp: now / 1000 - 1 }), 'test', now),
      isCode('TEEINIT_TOKEN_EXPIRED'),
    );
  });
  for (const bad of ['abc', 'a.b', 'a..c', `x.${Buffer.from('nope').toString('base64url')}.y`]) {
    test(`"${bad}" is TEEINIT_TOKEN_UNAVAILABLE`, { timeout: 1000 }, () => {
      assert.throws(() => assertTokenFresh(bad, 'test', now), isCode('TEEINIT_TOKEN_UNAVAILABLE'));
    });
  }
});
