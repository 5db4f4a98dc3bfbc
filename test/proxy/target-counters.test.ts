// `established` counts relays whose target accepted the connection, nothing else: against a
// target that goes away and comes back, established equals the connections the target
// really accepted, and each refused dial is a target failure (never established).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { hostPort, makePki, pkiMaterial, proxyConfig, removePki, type TestPki } from './helpers.js';
import { exchange } from './tls-client.js';

describe('proxy counters against a flapping target', { timeout: 60_000 }, () => {
  const log = captureLogger();
  let pki: TestPki;
  let proxy: RunningProxy;
  let targetPort: number;
  let target: Server | undefined;
  let acceptedByTarget = 0;

  function startTarget(): Promise<void> {
    const server = createServer((s) => {
      acceptedByTarget += 1;
      s.on('error', () => undefined);
      s.pipe(s);
    });
    target = server;
    return new Promise((resolve) => server.listen(targetPort, '127.0.0.1', resolve));
  }

  function stopTarget(): Promise<void> {
    const server = target;
    target = undefined;
    return new Promise((resolve) =>
      server === undefined ? resolve() : server.close(() => resolve()),
    );
  }

  before(async () => {
    pki = await makePki();
    targetPort = await freePort();
    proxy = await startProxy(
      proxyConfig({
        name: 'flap',
        mode: 'mtls-server',
        target: `127.0.0.1:${targetPort}`,
        tls: 'server',
        authorize: { commonNames: ['client1'] },
      }),
      pkiMaterial(pki),
      log.logger,
    );
  });
  after(async () => {
    await proxy.close(500);
    await stopTarget();
    removePki(pki);
  });

  test('target-flapping: established equals what the target accepted', async () => {
    const { port } = hostPort(proxy.address);
    const client = { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key };
    const round = async (n: number, up: boolean): Promise<void> => {
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => exchange(port, client, `m${i}`)),
      );
      for (const [i, r] of results.entries())
        assert.equal(r.data.toString(), up ? `m${i}` : '', `target ${up ? 'up' : 'down'}`);
    };
    await startTarget();
    await round(4, true);
    await stopTarget();
    await round(5, false);
    await startTarget();
    await round(3, true);
    await stopTarget();
    await round(1, false);

    await pollUntil('every connection closed', () => proxy.stats().open === 0);
    const s = proxy.stats();
    assert.equal(acceptedByTarget, 7);
    assert.equal(s.established, acceptedByTarget, JSON.stringify(s));
    assert.equal(s.targetFailures, 6, JSON.stringify(s));
    assert.equal(
      s.accepted,
      s.established + s.targetFailures,
      'every admitted peer is one or the other',
    );
    const unreachable = log.records().filter((r) => r.message === 'proxy target unreachable');
    assert.equal(unreachable.length, 6);
    assert.ok(unreachable.every((r) => r.error === 'ECONNREFUSED'));
  });
});
