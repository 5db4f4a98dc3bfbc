// mtls-client in front of a real mTLS server (name check, SPKI pin), and redis-cli --tls
// through mtls-server to a real redis-server on a loopback plaintext port.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { spkiSha256 } from '../../emulator/pki.js';
import { startProxy } from '../../src/proxy/index.js';
import { hostPort, makePki, pkiMaterial, proxyConfig, removePki, type TestPki } from './helpers.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { runCommand } from '../helpers/command.js';
import { canConnect, freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';

const T = { timeout: 30000 };

describe('mtls-client and redis', () => {
  let pki: TestPki;
  let backend: Server;
  let backendAddress: string;
  const seenClients: string[] = [];
  const log = captureLogger();
  let redis: ChildProcess | undefined;

  before(async () => {
    pki = await makePki();
    backend = createServer(
      {
        cert: pki.server.cert,
        key: pki.server.key,
        ca: pki.ca.cert,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (s: TLSSocket) => {
        seenClients.push(s.getPeerX509Certificate()?.subject ?? '');
        s.pipe(s);
      },
    );
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendAddress = `127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });
  after(() => {
    backend.close();
    if (redis !== undefined && redis.exitCode === null) redis.kill('SIGKILL');
    removePki(pki);
  });

  async function through(address: string, text: string): Promise<string> {
    const s = netConnect(hostPort(address).port, '127.0.0.1');
    s.on('error', () => undefined);
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.end(text);
    await new Promise((r) => s.on('close', r));
    return out;
  }

  test('mtls-client-verified: presents the client cert, checks the server name', T, async () => {
    const p = await startProxy(
      proxyConfig({
        mode: 'mtls-client',
        target: backendAddress,
        tls: 'client',
        serverName: 'backend.test',
      }),
      pkiMaterial(pki),
      log.logger,
    );
    try {
      assert.equal(await through(p.address, 'egress'), 'egress');
      assert.match(seenClients.at(-1) ?? '', /CN=client1/);
    } finally {
      await p.close(200);
    }
  });

  test(
    'mtls-client-refusals: wrong server name and wrong pin refused, right pin accepted',
    T,
    async () => {
      const wrongName = await startProxy(
        proxyConfig({
          name: 'wn',
          mode: 'mtls-client',
          target: backendAddress,
          tls: 'client',
          serverName: 'other.test',
        }),
        pkiMaterial(pki),
        log.logger,
      );
      const wrongPin = await startProxy(
        proxyConfig({
          name: 'wp',
          mode: 'mtls-client',
          target: backendAddress,
          tls: 'client',
          authorize: { spkiSha256: [spkiSha256(pki.client.cert)] },
        }),
        pkiMaterial(pki),
        log.logger,
      );
      const rightPin = await startProxy(
        proxyConfig({
          name: 'rp',
          mode: 'mtls-client',
          target: backendAddress,
          tls: 'client',
          authorize: { spkiSha256: [spkiSha256(pki.server.cert)] },
        }),
        pkiMaterial(pki),
        log.logger,
      );
      try {
        assert.equal(await through(wrongName.address, 'x'), '');
        assert.equal(await through(wrongPin.address, 'x'), '');
        assert.equal(await through(rightPin.address, 'pinned'), 'pinned');
        assert.equal(wrongName.stats().rejected['server-cert-rejected'], 1);
        assert.equal(wrongPin.stats().rejected['server-cert-rejected'], 1);
        assert.match(log.text(), /SPKI pin mismatch/);
      } finally {
        await Promise.all([wrongName.close(100), wrongPin.close(100), rightPin.close(100)]);
      }
    },
  );

  test(
    'mtls-server-redis: redis-cli --tls through the proxy to a real redis-server',
    T,
    async () => {
      const port = await freePort();
      redis = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await pollUntil(`redis on ${port}`, () => canConnect(port), 20_000);
      const p = await startProxy(
        proxyConfig({
          name: 'redis',
          mode: 'mtls-server',
          target: `127.0.0.1:${port}`,
          tls: 'server',
          authorize: { commonNames: ['client1'] },
        }),
        pkiMaterial(pki),
        log.logger,
      );
      try {
        const tlsArgs = [
          '--tls',
          '--cacert',
          pki.file('ca.crt'),
          '--cert',
          pki.file('client.crt'),
          '--key',
          pki.file('client.key'),
          '-h',
          '127.0.0.1',
          '-p',
          String(hostPort(p.address).port),
        ];
        const set = await runCommand(['redis-cli', ...tlsArgs, 'SET', 'k', 'through-teeinit']);
        assert.equal(set.stdout.trim(), 'OK', set.stderr);
        const get = await runCommand(['redis-cli', ...tlsArgs, 'GET', 'k']);
        assert.equal(get.stdout.trim(), 'through-teeinit');
        const noCert = await runCommand([
          'redis-cli',
          '--tls',
          '--cacert',
          pki.file('ca.crt'),
          '-h',
          '127.0.0.1',
          '-p',
          String(hostPort(p.address).port),
          'GET',
          'k',
        ]);
        assert.doesNotMatch(noCert.stdout, /through-teeinit/);
      } finally {
        await p.close(200);
        redis.kill('SIGTERM');
      }
    },
  );
});
