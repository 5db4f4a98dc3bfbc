import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../config/address.js';
import { probeTcp } from './readiness.js';

test('ready.tcp accepts host:port and [v6]:port, rejects the rest', { timeout: 5000 }, () => {
  assert.deepEqual(parseAddress('127.0.0.1:6379'), { kind: 'tcp', host: '127.0.0.1', port: 6379 });
  assert.deepEqual(parseAddress('[::1]:443'), { kind: 'tcp', host: '::1', port: 443 });
  assert.deepEqual(parseAddress('localhost:80'), { kind: 'tcp', host: 'localhost', port: 80 });
  const signal = new AbortController().signal;
  for (const bad of ['127.0.0.1', ':0', 'host:70000', '::1:80', '127.0.0.1:0', 'unix:/x']) {
    assert.throws(() => probeTcp(bad, 100, signal), Error, bad);
  }
});
