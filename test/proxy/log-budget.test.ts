// A flood of refused handshakes is counted exactly but logged within the budget, with one
// summary line for what was suppressed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:tls';
import { test } from 'node:test';
import { startProxy } from '../../src/proxy/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { hostPort, proxyConfig, startEcho } from './helpers.js';

test(
  'psk-server: 30 wrong-key handshakes → 30 counted, at most 20 lines, then a summary',
  { timeout: 60_000 },
  async () => {
    const target = await startEcho((s) => s.pipe(s));
    const log = captureLogger();
    const proxy = await startProxy(
      proxyConfig({
        name: 'in',
        mode: 'psk-server',
        target: target.address,
        identities: { c: 'k' },
      }),
      { tls: new Map(), keys: new Map([['k', randomBytes(32)]]), secrets: new Map() },
      log.logger,
    );
    try {
      const { host, port } = hostPort(proxy.address);
      for (let i = 0; i < 30; i++) {
        const socket = connect({
          host,
          port,
          ciphers: 'TLS_AES_128_GCM_SHA256',
          minVersion: 'TLSv1.3',
          pskCallback: () => ({ psk: randomBytes(32), identity: 'c' }),
          checkServerIdentity: () => undefined,
        });
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.on('close', resolve));
      }
      assert.equal(proxy.stats().rejected['psk-bad-key'], 30);
    } finally {
      await proxy.close(200);
      target.server.close();
    }
    const records = log.records();
    const refused = records.filter((r) => r.message === 'proxy connection refused');
    assert.equal(refused.length, 20);
    const summary = records.find((r) => String(r.message).startsWith('proxy warnings suppressed'));
    assert.equal(summary?.suppressed, 10);
    assert.deepEqual(summary?.byReason, { 'psk-bad-key': 10 });
  },
);
