// The status endpoint (JSON counters on loopback) and the connection lifetime cap, through
// a psk-client → psk-server pair to an echo target.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '../../src/proxy/index.js';
import { hostPort, startPskPair, type PskPair } from './helpers.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { pollUntil } from '../helpers/poll.js';

const T = { timeout: 30_000 };

describe('proxy status endpoint and lifetime cap', () => {
  const log = captureLogger();
  let pair: PskPair;
  let server: RunningProxy;
  let client: RunningProxy;

  before(async () => {
    pair = await startPskPair(log.logger, {
      server: { status: '127.0.0.1:0', limits: { maxLifetime: 800 } },
    });
    ({ server, client } = pair);
  });
  after(() => pair.close());

  test('status-endpoint: GET answers the live counters as JSON; other methods 405', T, async () => {
    assert.ok(server.statusAddress !== undefined);
    const socket = connect(hostPort(client.address));
    await once(socket, 'connect');
    socket.write('ping');
    await once(socket, 'data');
    const url = `http://${server.statusAddress}/`;
    const live = (await (await fetch(url)).json()) as Record<string, unknown>;
    assert.equal(live.name, 'in');
    assert.equal(live.mode, 'psk-server');
    assert.equal(live.open, 1);
    assert.ok(Number(live.bytesIn) >= 4);
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
    socket.destroy();
    await pollUntil('connection closed', () => server.stats().open === 0, 5000);
    const after = (await (await fetch(url)).json()) as Record<string, unknown>;
    assert.equal(after.open, 0);
  });

  test(
    'max-lifetime: a connection is closed when its lifetime is over, even if busy',
    T,
    async () => {
      const socket = connect(hostPort(client.address));
      await once(socket, 'connect');
      const began = Date.now();
      const timer = setInterval(() => socket.write('x'), 50);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      await once(socket, 'close');
      clearInterval(timer);
      const lived = Date.now() - began;
      assert.ok(lived >= 700 && lived < 10_000, `lived ${lived} ms`);
      await pollUntil('server side closed', () => server.stats().open === 0, 5000);
    },
  );
});
