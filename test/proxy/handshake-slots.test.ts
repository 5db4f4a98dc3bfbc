// Pre-authentication slots: connections still in the TLS handshake are capped per source
// (limits.maxHandshakesPerSource), so one address that opens connections and never
// finishes a handshake cannot hold every slot of maxConnections. A real flood from
// 127.0.0.2 while an authenticated client from 127.0.0.1 connects and relays bytes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '../../src/proxy/index.js';
import { startProxy } from '../../src/proxy/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { pollUntil } from '../helpers/poll.js';
import {
  hostPort,
  makePki,
  pkiMaterial,
  proxyConfig,
  removePki,
  startEcho,
  type TestPki,
} from './helpers.js';
import { exchange } from './tls-client.js';

const FLOOD = 30;
const PER_SOURCE = 4;

describe('proxy handshake slots per source', { timeout: 60_000 }, () => {
  const log = captureLogger();
  let pki: TestPki;
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let proxy: RunningProxy;
  const flood: Socket[] = [];

  before(async () => {
    pki = await makePki();
    echo = await startEcho();
    proxy = await startProxy(
      proxyConfig({
        name: 'slots',
        mode: 'mtls-server',
        target: echo.address,
        tls: 'server',
        authorize: { commonNames: ['client1'] },
        // Long enough that the flood's connections are still held when the client comes.
        limits: {
          maxConnections: 10,
          maxHandshakesPerSource: PER_SOURCE,
          handshakeTimeout: 30_000,
        },
      }),
      pkiMaterial(pki),
      log.logger,
    );
  });
  after(async () => {
    for (const s of flood) s.destroy();
    await proxy.close(500);
    echo.server.close();
    removePki(pki);
  });

  test('handshake-slots-flood: one source holds its share only; an authenticated client still relays', async () => {
    const { port } = hostPort(proxy.address);
    // The flood: TCP connections from 127.0.0.2 that start a TLS record and never finish it.
    for (let i = 0; i < FLOOD; i += 1) {
      const s = netConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      s.on('error', () => undefined);
      flood.push(s);
      await once(s, 'connect');
      s.write(Buffer.from([0x16, 0x03, 0x01]));
    }
    const refusedBySource = (): number => proxy.stats().rejected['handshakes-per-source'] ?? 0;
    await pollUntil('every flood connection seen by the proxy', () => {
      const s = proxy.stats();
      return s.accepted + (s.rejected['max-connections'] ?? 0) === FLOOD;
    });
    await pollUntil(
      'the refused flood connections closed',
      () => proxy.stats().open === proxy.stats().accepted - refusedBySource(),
    );
    const held = proxy.stats().open;

    const client = await exchange(
      port,
      { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key },
      'still served',
    );
    assert.equal(client.data.toString(), 'still served', client.error);
    assert.equal(held, PER_SOURCE, 'the flood holds exactly its share of handshake slots');
    const s = proxy.stats();
    assert.ok(refusedBySource() > 0, JSON.stringify(s.rejected));
    assert.equal(
      refusedBySource() + (s.rejected['max-connections'] ?? 0),
      FLOOD - PER_SOURCE,
      `each refused flood connection is counted once: ${JSON.stringify(s.rejected)}`,
    );
    assert.equal(s.handshakeFailures, 0, 'refused at accept, not as a failed handshake');
    assert.ok(
      log.records().some((r) => r.reason === 'handshakes-per-source' && r.source === '127.0.0.2'),
      'the refusal is logged with the source',
    );
  });
});
