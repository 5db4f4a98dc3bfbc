// Table-driven checks of URI SAN patterns, SAN parsing and address parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopback, parseAddress } from './address.js';
import { parseSubjectAltName } from '../keys/index.js';
import { matchUriPattern } from './uri-pattern.js';

test('matchUriPattern: * is one segment, trailing /** one or more', { timeout: 5000 }, () => {
  const cases: [string, string, boolean][] = [
    ['spiffe://a.test/ns/*/sa/reader', 'spiffe://a.test/ns/prod/sa/reader', true],
    ['spiffe://a.test/ns/*/sa/reader', 'spiffe://a.test/ns/prod/x/sa/reader', false],
    ['spiffe://a.test/ns/*/sa/reader', 'spiffe://a.test/ns//sa/reader', false],
    ['spiffe://a.test/**', 'spiffe://a.test/x/y/z', true],
    ['spiffe://a.test/**', 'spiffe://a.test', false],
    ['spiffe://a.test/**', 'spiffe://a.test/', false],
    ['spiffe://a.test/ns/prod', 'spiffe://a.test/ns/prod', true],
    ['spiffe://a.test/ns/prod', 'spiffe://a.test/ns/prod2', false],
    ['spiffe://a.test/ns/prod', 'spiffe://b.test/ns/prod', false],
  ];
  for (const [pattern, uri, want] of cases)
    assert.equal(matchUriPattern(pattern, uri), want, `${pattern} ~ ${uri}`);
});

test('parseSubjectAltName: quoted values cannot smuggle entries', { timeout: 5000 }, () => {
  assert.deepEqual(parseSubjectAltName('DNS:a.test, URI:spiffe://x/y'), [
    { type: 'DNS', value: 'a.test' },
    { type: 'URI', value: 'spiffe://x/y' },
  ]);
  assert.deepEqual(parseSubjectAltName('DNS:"evil.test, DNS:good.test", DNS:b.test'), [
    { type: 'DNS', value: 'evil.test, DNS:good.test' },
    { type: 'DNS', value: 'b.test' },
  ]);
});

test('parseAddress and isLoopback', { timeout: 5000 }, () => {
  assert.deepEqual(parseAddress('127.0.0.1:80', 'k'), { kind: 'tcp', host: '127.0.0.1', port: 80 });
  assert.deepEqual(parseAddress('[::1]:0', 'k'), { kind: 'tcp', host: '::1', port: 0 });
  assert.deepEqual(parseAddress('unix:/run/x.sock', 'k'), { kind: 'unix', path: '/run/x.sock' });
  for (const bad of ['nope', 'unix:rel', '1.2.3.4:99999', '[zz]:1'])
    assert.throws(() => parseAddress(bad, 'k'));
  assert.equal(isLoopback(parseAddress('127.1.2.3:1', 'k')), true);
  assert.equal(isLoopback(parseAddress('localhost:1', 'k')), true);
  assert.equal(isLoopback(parseAddress('10.0.0.1:1', 'k')), false);
  assert.equal(isLoopback(parseAddress('0.0.0.0:1', 'k')), false);
});
