// mtls-server against real peers: Node's tls client, openssl s_client, curl; refusals with
// reasons while a legitimate client is served; authorization rules; target down;
// connection limit; hot certificate swap. SNI entries: mtls-sni.test.ts.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import { spkiSha256, issueCert } from '../../emulator/pki.js';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import {
  hostPort,
  makePki,
  pkiMaterial,
  proxyConfig,
  removePki,
  startEcho,
  type TestPki,
} from './helpers.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { runCommand } from '../helpers/command.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { exchange } from './tls-client.js';

const T = { timeout: 30000 };

describe('mtls-server', () => {
  let pki: TestPki;
  let echo: { server: Server; address: string };
  let proxy: RunningProxy;
  let port: number;
  const log = captureLogger();

  before(async () => {
    pki = await makePki();
    echo = await startEcho();
    proxy = await startProxy(
      proxyConfig({
        mode: 'mtls-server',
        target: echo.address,
        tls: 'server',
        authorize: { uris: ['spiffe://alice.test/ns/*/sa/reader'] },
        limits: { handshakeTimeout: 800 },
      }),
      pkiMaterial(pki),
      log.logger,
    );
    port = hostPort(proxy.address).port;
  });
  after(async () => {
    await proxy.close(500);
    echo.server.close();
    removePki(pki);
  });

  const client = (): { ca: string; cert: string; key: string } => ({
    ca: pki.ca.cert,
    cert: pki.client.cert,
    key: pki.client.key,
  });

  test('mtls-server-node-client: bytes reach the target and come back', T, async () => {
    const r = await exchange(port, client(), 'hello through mtls');
    assert.equal(r.authorized, true);
    assert.equal(r.data.toString(), 'hello through mtls');
    await pollUntil(
      'close log',
      () => /"identity":"spiffe:\/\/alice.test\/ns\/prod\/sa\/reader"/.test(log.text()),
      3000,
    );
    const line = log.records().find((l) => l.message === 'proxy connection closed');
    assert.ok(line);
    assert.equal(line.bytesIn, 18);
    assert.equal(line.bytesOut, 18);
    assert.equal(typeof line.durationMs, 'number');
    assert.equal(typeof line.reason, 'string');
  });

  test('mtls-server-openssl: s_client with -cert/-key', T, async () => {
    const r = await runCommand(
      [
        'openssl',
        's_client',
        '-connect',
        proxy.address,
        '-servername',
        'localhost',
        '-quiet',
        '-verify_return_error',
        '-CAfile',
        pki.file('ca.crt'),
        '-cert',
        pki.file('client.crt'),
        '-key',
        pki.file('client.key'),
      ],
      // -quiet implies -ign_eof: s_client stays until stopped, so stop it once the echo is in.
      { input: 'ping-openssl\n', untilStdout: /ping-openssl/ },
    );
    assert.match(r.stdout, /ping-openssl/);
  });

  test(
    'mtls-server-refusals: each bad peer refused with a reason, good peer served meanwhile',
    T,
    async () => {
      const before = proxy.stats();
      const legit = exchange(port, client(), Buffer.alloc(200000, 7));
      const bad = await Promise.all([
        exchange(port, { ca: pki.ca.cert }, 'no cert'),
        exchange(
          port,
          { ca: pki.ca.cert, cert: pki.foreignClient.cert, key: pki.foreignClient.key },
          'foreign',
        ),
        exchange(
          port,
          { ca: pki.ca.cert, cert: pki.expiredClient.cert, key: pki.expiredClient.key },
          'expired',
        ),
        exchange(
          port,
          { ca: pki.ca.cert, cert: pki.strangerClient.cert, key: pki.strangerClient.key },
          'stranger',
        ),
        exchange(
          port,
          {
            ...client(),
            minVersion: 'TLSv1.1',
            maxVersion: 'TLSv1.1',
            ciphers: 'DEFAULT@SECLEVEL=0',
          },
          'old',
        ),
      ]);
      for (const r of bad) assert.equal(r.data.length, 0, 'a refused peer receives no plaintext');
      // Garbage bytes and a slowloris that never finishes its handshake.
      const garbage = await rawExchange(port, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
      assert.equal(garbage.length, 0);
      const slow = await rawExchange(port, Buffer.from([0x16, 0x03, 0x01]), 5000);
      assert.equal(slow.length, 0);
      const good = await legit;
      assert.equal(good.data.length, 200000);
      await pollUntil('open back to 0', () => proxy.stats().open === 0, 5000);
      const s = proxy.stats();
      const delta = (k: string): number =>
        (s.rejected[k as never] ?? 0) - (before.rejected[k as never] ?? 0);
      assert.equal(delta('no-client-cert'), 1, JSON.stringify(s.rejected));
      assert.equal(delta('untrusted-cert'), 1, JSON.stringify(s.rejected));
      assert.equal(delta('expired-cert'), 1, JSON.stringify(s.rejected));
      assert.equal(delta('not-authorized'), 1, JSON.stringify(s.rejected));
      assert.equal(delta('tls-version'), 1, JSON.stringify(s.rejected));
      assert.equal(delta('handshake-failed'), 1, JSON.stringify(s.rejected));
      assert.equal(delta('handshake-timeout'), 1, JSON.stringify(s.rejected));
      assert.match(
        log.text(),
        /"reason":"not-authorized".*"identity":"client1"|"reason":"not-authorized"/,
      );
    },
  );

  test(
    'mtls-server-empty: health-check style connect-and-close is counted, not warned about',
    T,
    async () => {
      const before = proxy.stats();
      const warningsBefore = log.records().filter((r) => r.severity === 'WARNING').length;
      const probes = 5;
      for (let i = 0; i < probes; i += 1) {
        const none = await rawExchange(port, Buffer.alloc(0), 1000, true);
        assert.equal(none.length, 0);
      }
      await pollUntil(
        'empty connections counted',
        () =>
          (proxy.stats().rejected['empty-connection'] ?? 0) -
            (before.rejected['empty-connection'] ?? 0) ===
          probes,
        5000,
      );
      const s = proxy.stats();
      assert.equal(s.handshakeFailures, before.handshakeFailures, 'not a handshake failure');
      assert.equal(
        log.records().filter((r) => r.severity === 'WARNING').length,
        warningsBefore,
        'no warning line for a probe',
      );
      const quiet = log
        .records()
        .filter((r) => r.message === 'proxy connection closed before the handshake');
      assert.ok(quiet.length >= probes, 'each probe is logged at debug level');
      assert.ok(quiet.every((r) => r.severity === 'DEBUG'));
      await pollUntil('open back to 0', () => proxy.stats().open === 0, 5000);
      const good = await exchange(port, client(), 'after-probes');
      assert.equal(good.data.toString(), 'after-probes', 'a real client is still served');
    },
  );

  test('mtls-server-curl: curl --cert to an HTTP server behind the proxy', T, async () => {
    const http = createHttpServer((req, res) => res.end(`hi ${req.url ?? ''}`));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const p = await startProxy(
      proxyConfig({
        name: 'web',
        mode: 'mtls-server',
        target: `127.0.0.1:${(http.address() as AddressInfo).port}`,
        tls: 'server',
        authorize: { commonNames: ['client1'] },
      }),
      pkiMaterial(pki),
      log.logger,
    );
    try {
      const r = await runCommand([
        'curl',
        '-sS',
        '--max-time',
        '10',
        '--cacert',
        pki.file('ca.crt'),
        '--cert',
        pki.file('client.crt'),
        '--key',
        pki.file('client.key'),
        `https://localhost:${hostPort(p.address).port}/abc`,
      ]);
      assert.equal(r.stdout, 'hi /abc', r.stderr);
      const refused = await runCommand([
        'curl',
        '-sS',
        '--max-time',
        '10',
        '--cacert',
        pki.file('ca.crt'),
        `https://localhost:${hostPort(p.address).port}/abc`,
      ]);
      assert.notEqual(refused.code, 0);
    } finally {
      await p.close(200);
      await closeHttp(http);
    }
  });

  test('mtls-server-authorize: DNS SAN and SPKI pin rules', T, async () => {
    for (const authorize of [
      { dnsNames: ['mallory.test'] },
      { spkiSha256: [spkiSha256(pki.strangerClient.cert)] },
    ]) {
      const p = await startProxy(
        proxyConfig({
          name: 'authz',
          mode: 'mtls-server',
          target: echo.address,
          tls: 'server',
          authorize,
        }),
        pkiMaterial(pki),
        log.logger,
      );
      try {
        const port2 = hostPort(p.address).port;
        const yes = await exchange(
          port2,
          { ca: pki.ca.cert, cert: pki.strangerClient.cert, key: pki.strangerClient.key },
          'x',
        );
        assert.equal(yes.data.toString(), 'x');
        const no = await exchange(port2, client(), 'x');
        assert.equal(no.data.length, 0);
        assert.equal(p.stats().rejected['not-authorized'], 1);
      } finally {
        await p.close(200);
      }
    }
  });

  test('mtls-server-config: no rule at all is refused at start', T, async () => {
    await assert.rejects(
      startProxy(
        proxyConfig({ mode: 'mtls-server', target: echo.address, tls: 'server' }),
        pkiMaterial(pki),
        log.logger,
      ),
      (e: Error & { code?: string }) => e.code === 'TEEINIT_CONFIG_INVALID',
    );
    await assert.rejects(
      startProxy(
        proxyConfig({
          mode: 'mtls-server',
          target: '10.1.2.3:80',
          tls: 'server',
          authorize: { allowAll: true },
        }),
        pkiMaterial(pki),
        log.logger,
      ),
      /loopback/,
    );
    await assert.rejects(
      startProxy(
        proxyConfig({
          mode: 'mtls-server',
          listen: proxy.address,
          target: echo.address,
          tls: 'server',
          authorize: { allowAll: true },
        }),
        pkiMaterial(pki),
        log.logger,
      ),
      (e: Error & { code?: string }) => e.code === 'TEEINIT_PROXY_LISTEN',
    );
  });

  test('mtls-server-target-down: peer is closed promptly and the failure logged', T, async () => {
    // A port nothing listens on, from below the ephemeral range: the port of a closed
    // listen(0) server is free for the next listen(0) of any process on the machine.
    const address = `127.0.0.1:${await freePort()}`;
    const p = await startProxy(
      proxyConfig({
        name: 'down',
        mode: 'mtls-server',
        target: address,
        tls: 'server',
        authorize: { allowAll: true },
      }),
      pkiMaterial(pki),
      log.logger,
    );
    try {
      const started = Date.now();
      const r = await exchange(hostPort(p.address).port, client(), 'x');
      assert.equal(r.data.length, 0);
      assert.ok(Date.now() - started < 3000);
      assert.equal(p.stats().targetFailures, 1);
      await pollUntil('open 0', () => p.stats().open === 0, 3000);
      assert.match(log.text(), /proxy target unreachable.*ECONNREFUSED/);
    } finally {
      await p.close(200);
    }
  });

  test(
    'mtls-server-max-connections: excess refused and counted, earlier ones served',
    T,
    async () => {
      const p = await startProxy(
        proxyConfig({
          name: 'limit',
          mode: 'mtls-server',
          target: echo.address,
          tls: 'server',
          authorize: { allowAll: true },
          limits: { maxConnections: 2 },
        }),
        pkiMaterial(pki),
        log.logger,
      );
      const sockets = [0, 1].map(() =>
        connect({
          port: hostPort(p.address).port,
          host: '127.0.0.1',
          servername: 'localhost',
          ...client(),
        }),
      );
      try {
        await Promise.all(sockets.map((s) => new Promise((r) => s.once('secureConnect', r))));
        const third = await exchange(hostPort(p.address).port, client(), 'x');
        assert.equal(third.data.length, 0);
        await pollUntil('drop counted', () => p.stats().rejected['max-connections'] === 1, 3000);
        sockets[0]!.write('still-here');
        const echoed = await new Promise<string>((r) =>
          sockets[0]!.once('data', (d: Buffer) => r(d.toString())),
        );
        assert.equal(echoed, 'still-here');
      } finally {
        for (const s of sockets) s.destroy();
        await p.close(200);
      }
    },
  );

  test(
    'mtls-server-hot-swap: existing connection kept, new cert served, broken cert keeps old',
    T,
    async () => {
      const p = await startProxy(
        proxyConfig({
          name: 'swap',
          mode: 'mtls-server',
          target: echo.address,
          tls: 'server',
          authorize: { allowAll: true },
        }),
        pkiMaterial(pki),
        log.logger,
      );
      const port2 = hostPort(p.address).port;
      const live = connect({
        port: port2,
        host: '127.0.0.1',
        servername: 'localhost',
        ...client(),
      });
      try {
        await new Promise((r) => live.once('secureConnect', r));
        const newServer = await issueCert(pki.ca, {
          commonName: 'localhost',
          dnsNames: ['localhost'],
          usage: 'server',
        });
        const fresh = pkiMaterial(pki);
        const swapped = {
          ...fresh,
          tls: new Map(fresh.tls).set('server', {
            certPem: newServer.cert,
            keyPem: newServer.key,
            caPem: pki.ca.cert,
          }),
        };
        assert.equal(p.updateMaterial(swapped), true);
        const served = await certServed(port2);
        assert.equal(
          served,
          new (await import('node:crypto')).X509Certificate(newServer.cert).fingerprint256,
        );
        const broken = {
          ...fresh,
          tls: new Map(fresh.tls).set('server', {
            certPem: newServer.cert,
            keyPem: pki.client.key,
            caPem: pki.ca.cert,
          }),
        };
        assert.equal(p.updateMaterial(broken), false);
        assert.equal(await certServed(port2), served);
        live.write('after-swap');
        assert.equal(
          await new Promise<string>((r) => live.once('data', (d: Buffer) => r(d.toString()))),
          'after-swap',
        );
        assert.match(log.text(), /update rejected/);
      } finally {
        live.destroy();
        await p.close(200);
      }
    },
  );

  async function certServed(p: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = connect(
        { port: p, host: '127.0.0.1', servername: 'localhost', ...client() },
        () => {
          resolve(s.getPeerX509Certificate()?.fingerprint256 ?? '');
          s.destroy();
        },
      );
      s.on('error', reject);
    });
  }
});

/** Writes raw bytes on a TCP connection and collects whatever comes back until close. */
async function rawExchange(
  port: number,
  bytes: Buffer,
  timeoutMs = 3000,
  endAfterWrite = false,
): Promise<Buffer> {
  const { connect: netConnect } = await import('node:net');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = netConnect(port, '127.0.0.1', () => {
      if (endAfterWrite) s.end(bytes);
      else s.write(bytes);
    });
    s.setTimeout(timeoutMs, () => s.destroy());
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      const all = Buffer.concat(chunks);
      // A TLS alert record (0x15) is a refusal, not plaintext.
      resolve(all.length > 0 && all[0] === 0x15 ? Buffer.alloc(0) : all);
    });
  });
}

function closeHttp(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}
