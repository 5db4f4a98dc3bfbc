// Byte integrity and connection lifecycle through a proxy pair (psk-client → psk-server
// → target, so both relay directions and both TLS roles are exercised): multi-MB full
// duplex hashed, byte-at-a-time writes, half-close with delayed return traffic, reset
// mid-transfer, idle timeout, churn without leaked handles, drain on close.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { hostPort, proxyConfig, startPskPair, type PskPair } from './helpers.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { pollUntil } from '../helpers/poll.js';

const T = { timeout: 60000 };
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('integrity', () => {
  const log = captureLogger();
  let behavior: (s: Socket) => void = (s) => s.pipe(s);
  let pair: PskPair;
  let server: RunningProxy;
  let client: RunningProxy;
  let port: number;

  before(async () => {
    pair = await startPskPair(log.logger, {
      onSocket: (s) => behavior(s),
      server: { limits: { idleTimeout: 1500 } },
    });
    ({ server, client } = pair);
    port = hostPort(client.address).port;
  });
  after(() => pair.close());

  test('integrity-full-duplex: 8 MB each way, hashed, at the same time', T, async () => {
    const up = randomBytes(8 * 1024 * 1024);
    const down = randomBytes(8 * 1024 * 1024);
    const received: Buffer[] = [];
    behavior = (s) => {
      s.on('data', (d: Buffer) => received.push(d));
      s.end(down);
    };
    const s = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.end(up);
    await new Promise((r) => s.on('close', r));
    await pollUntil('upload complete', () => Buffer.concat(received).length === up.length, 5000);
    assert.equal(sha(Buffer.concat(got)), sha(down));
    assert.equal(sha(Buffer.concat(received)), sha(up));
  });

  test('integrity-byte-at-a-time: 2000 single-byte writes arrive in order', T, async () => {
    behavior = (s) => s.pipe(s);
    const data = randomBytes(2000);
    const s = connect(port, '127.0.0.1');
    s.setNoDelay(true);
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    await new Promise((r) => s.on('connect', r));
    for (let i = 0; i < data.length; i += 1) {
      s.write(data.subarray(i, i + 1));
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    s.end();
    await new Promise((r) => s.on('close', r));
    assert.equal(sha(Buffer.concat(got)), sha(data));
  });

  test('integrity-half-close: client ends, target answers 300 ms later', T, async () => {
    behavior = (s) => {
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () =>
        setTimeout(() => s.end(Buffer.concat([Buffer.from('late:'), ...chunks])), 300),
      );
    };
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.end('question');
    await new Promise((r) => s.on('close', r));
    assert.equal(Buffer.concat(got).toString(), 'late:question');
  });

  test('integrity-reset: a reset mid-transfer leaves nothing open', T, async () => {
    behavior = (s) => s.pipe(s);
    const s = connect(port, '127.0.0.1');
    await new Promise((r) => s.on('connect', r));
    s.write(randomBytes(1024 * 1024));
    await new Promise((r) => s.once('data', r));
    s.resetAndDestroy();
    await pollUntil(
      'open 0 after reset',
      () => client.stats().open === 0 && server.stats().open === 0,
      5000,
    );
    // And the target side vanishing mid-transfer closes the peer.
    behavior = (t) => {
      t.once('data', () => t.resetAndDestroy());
    };
    const s2 = connect(port, '127.0.0.1');
    s2.on('error', () => undefined);
    s2.write(randomBytes(64 * 1024));
    await new Promise((r) => s2.on('close', r));
    await pollUntil(
      'open 0 after target reset',
      () => client.stats().open === 0 && server.stats().open === 0,
      5000,
    );
  });

  test(
    'integrity-idle-timeout: a silent connection is closed with reason idle-timeout',
    T,
    async () => {
      behavior = (s) => s.pipe(s);
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.resume();
      s.write('x');
      const started = Date.now();
      await new Promise((r) => s.on('close', r));
      assert.ok(Date.now() - started >= 1000);
      await pollUntil('idle log line', () => /"reason":"idle-timeout"/.test(log.text()), 3000);
    },
  );

  test('integrity-churn: 300 short connections leave no leaked handles', T, async () => {
    behavior = (s) => s.pipe(s);
    const handles = (): number =>
      (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    const once = (): Promise<void> =>
      new Promise((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.end('ping'));
        s.on('data', () => undefined);
        s.on('close', () => resolve());
      });
    await once();
    await pollUntil('settled', () => server.stats().open === 0, 3000);
    const baseline = handles();
    for (let round = 0; round < 10; round += 1) await Promise.all(Array.from({ length: 30 }, once));
    await pollUntil('open 0', () => client.stats().open === 0 && server.stats().open === 0, 5000);
    await pollUntil(
      `handles back to ${baseline} (now ${handles()})`,
      () => handles() <= baseline,
      5000,
    );
  });

  test('integrity-drain: close() waits for open connections up to drainMs', T, async () => {
    const p = await startProxy(
      proxyConfig({
        name: 'drain',
        mode: 'psk-client',
        target: server.address,
        identities: { c: 'k' },
      }),
      pair.material,
      log.logger,
    );
    behavior = (s) => s.pipe(s);
    const s = connect(hostPort(p.address).port, '127.0.0.1');
    s.on('error', () => undefined);
    s.write('hold');
    await new Promise((r) => s.once('data', r));
    const started = Date.now();
    const closed = s.on('close', () => undefined);
    await p.close(400);
    assert.ok(Date.now() - started >= 350, 'waited for the drain window');
    assert.equal(p.stats().open, 0);
    await new Promise((r) => (closed.destroyed ? r(null) : closed.on('close', r)));
  });
});
