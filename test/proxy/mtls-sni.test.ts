// mtls-server with one SNI entry per collaborator: each entry's CA verifies the clients that
// send its name, and only that entry's rules admit them. Bob's CA can write any name into a
// certificate; it must not get a client in as one of alice's identities, neither through
// bob's entry, nor alice's, nor by resuming a TLS session across entries. Refusals are
// counted in /metrics; the close line names the entry the peer came through.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { connect, type ConnectionOptions } from 'node:tls';
import { createCa, issueCert, type IssuedCa, type Pem } from '../../emulator/pki.js';
import type { ProxyConfig } from '../../src/config/types.js';
import { startProxy, type ProxyMaterial, type RunningProxy } from '../../src/proxy/index.js';
import { StatusState, startStatusEndpoint, type StatusEndpoint } from '../../src/status/index.js';
import { statusPaths } from '../../src/plan/build-plan.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { runCommand } from '../helpers/command.js';
import { httpAnswer } from '../helpers/http-get.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-parse.js';
import { removeDir, tempDir } from '../helpers/temp.js';
import { hostPort, NO_RULES, proxyConfig, startEcho } from './helpers.js';
import { exchange } from './tls-client.js';

const T = { timeout: 30_000 };
const ALICE_ADMIN = 'spiffe://alice.test/admin';

/** One connection that also reports the TLS session it got (for a resumption attempt). */
function connectOnce(
  port: number,
  options: ConnectionOptions,
  payload: string,
): Promise<{ data: string; session?: Buffer; reused: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    let session: Buffer | undefined;
    let reused = false;
    const socket = connect({ host: '127.0.0.1', port, ...options }, () => {
      reused = socket.isSessionReused();
      socket.write(payload);
    });
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('session', (s: Buffer) => (session = s));
    socket.on('data', (d: Buffer) => {
      data += d.toString();
      // The echo is back; stay a moment for a session ticket sent after it, then close.
      if (data === payload) setTimeout(() => socket.end(), 100);
    });
    socket.on('error', () => undefined);
    socket.on('close', () =>
      resolve({ data, reused, ...(session === undefined ? {} : { session }) }),
    );
  });
}

describe('mtls-server SNI entries', () => {
  const log = captureLogger();
  let serverCa: IssuedCa;
  let aliceCa: IssuedCa;
  let bobCa: IssuedCa;
  let server: Pem;
  let aliceAdmin: Pem;
  let bobApp: Pem;
  let forged: Pem;
  let dual: Pem;
  let echo: { server: Server; address: string };
  let proxy: RunningProxy;
  let port: number;
  let status: StatusEndpoint;
  let statusPort: number;
  let dir: string;

  const sniCa: ProxyConfig['sniCa'] = {
    'alice.localhost': { ca: 'alice-ca', authorize: { ...NO_RULES, uris: [ALICE_ADMIN] } },
    'bob.localhost': { ca: 'bob-ca', authorize: { ...NO_RULES, uris: ['spiffe://bob.test/**'] } },
  };

  function material(withDefaultCa: boolean): ProxyMaterial {
    const bundle = { certPem: server.cert, keyPem: server.key };
    return {
      tls: new Map([['server', withDefaultCa ? { ...bundle, caPem: serverCa.cert } : bundle]]),
      keys: new Map(),
      secrets: new Map([
        ['alice-ca', Buffer.from(aliceCa.cert)],
        ['bob-ca', Buffer.from(bobCa.cert)],
      ]),
    };
  }

  const as = (leaf: Pem, servername?: string): ConnectionOptions => ({
    ca: serverCa.cert,
    cert: leaf.cert,
    key: leaf.key,
    checkServerIdentity: () => undefined,
    // tls.connect sends no SNI when servername is '' (and Node's default would be the host).
    servername: servername ?? '',
  });

  const rejected = async (reason: string): Promise<number> => {
    const m = parseExposition((await httpAnswer(statusPort, '/metrics')).body);
    const labels = { proxy: 'sni', mode: 'mtls-server', reason };
    return sampleValue(m, 'teeinit_proxy_connections_rejected_total', labels) ?? 0;
  };

  before(async () => {
    serverCa = await createCa('server CA');
    aliceCa = await createCa('alice CA');
    bobCa = await createCa('bob CA');
    server = await issueCert(serverCa, {
      commonName: 'localhost',
      dnsNames: ['localhost', 'alice.localhost', 'bob.localhost'],
      usage: 'server',
    });
    aliceAdmin = await issueCert(aliceCa, {
      commonName: 'alice-admin',
      uris: [ALICE_ADMIN],
      usage: 'client',
    });
    bobApp = await issueCert(bobCa, {
      commonName: 'bob-app',
      uris: ['spiffe://bob.test/app'],
      usage: 'client',
    });
    // What bob's CA can issue: alice's admin name; and with one of bob's own, to get a
    // session through bob's entry.
    forged = await issueCert(bobCa, {
      commonName: 'alice-admin',
      uris: [ALICE_ADMIN],
      usage: 'client',
    });
    dual = await issueCert(bobCa, {
      commonName: 'alice-admin',
      uris: ['spiffe://bob.test/app', ALICE_ADMIN],
      usage: 'client',
    });
    echo = await startEcho();
    dir = tempDir('teeinit-sni-').dir;
    proxy = await startProxy(
      proxyConfig({ name: 'sni', mode: 'mtls-server', target: echo.address, tls: 'server', sniCa }),
      material(false),
      log.logger,
    );
    port = hostPort(proxy.address).port;
    const state = new StatusState({
      version: 'test',
      configSha256: '0'.repeat(64),
      processes: [],
      refresh: false,
    });
    state.attach({ proxies: () => [proxy] });
    status = await startStatusEndpoint(
      { listen: `127.0.0.1:${await freePort()}`, paths: statusPaths(true) },
      state,
    );
    statusPort = hostPort(status.address).port;
  });
  after(async () => {
    await status.close();
    await proxy.close(500);
    echo.server.close();
    removeDir(dir);
  });

  test(
    'mtls-sni-impersonation: bob CA with alice admin URI refused through both entries',
    T,
    async () => {
      const before = {
        notAuthorized: await rejected('not-authorized'),
        untrusted: await rejected('untrusted-cert'),
      };
      const viaBob = await exchange(port, as(forged, 'bob.localhost'), 'as alice via bob');
      assert.equal(viaBob.data.length, 0, 'bob’s entry does not admit alice’s identity');
      const viaAlice = await exchange(port, as(forged, 'alice.localhost'), 'as alice via alice');
      assert.equal(viaAlice.data.length, 0, 'alice’s CA did not sign it');
      // openssl s_client with the forged certificate and bob's name: the same refusal.
      const files = {
        ca: `${dir}/server-ca.crt`,
        crt: `${dir}/forged.crt`,
        key: `${dir}/forged.key`,
      };
      writeFileSync(files.ca, serverCa.cert, { mode: 0o600 });
      writeFileSync(files.crt, forged.cert, { mode: 0o600 });
      writeFileSync(files.key, forged.key, { mode: 0o600 });
      const ossl = await runCommand(
        [
          'openssl',
          's_client',
          '-connect',
          proxy.address,
          '-servername',
          'bob.localhost',
          '-quiet',
          '-CAfile',
          files.ca,
          '-cert',
          files.crt,
          '-key',
          files.key,
        ],
        { input: 'openssl-forged\n', untilStdout: /openssl-forged/, timeoutMs: 10_000 },
      );
      assert.doesNotMatch(ossl.stdout, /openssl-forged/);

      await pollUntil('refusals in /metrics', async () => {
        const n = await rejected('not-authorized');
        return n === before.notAuthorized + 2 ? n : undefined;
      });
      assert.equal(await rejected('untrusted-cert'), before.untrusted + 1);
      const refusals = log.records().filter((r) => r.message === 'proxy connection refused');
      assert.ok(
        refusals.some((r) => r.reason === 'not-authorized' && r.sni === 'bob.localhost'),
        'the refusal names the entry the peer came through',
      );
      assert.ok(refusals.some((r) => r.reason === 'untrusted-cert' && r.sni === 'alice.localhost'));
    },
  );

  test('mtls-sni-admitted: each real client through its own entry, logged with it', T, async () => {
    const alice = await exchange(port, as(aliceAdmin, 'alice.localhost'), 'alice here');
    assert.equal(alice.data.toString(), 'alice here');
    const bob = await exchange(port, as(bobApp, 'BOB.localhost'), 'bob here');
    assert.equal(bob.data.toString(), 'bob here', 'SNI names match case-insensitively');
    const closed = await pollUntil('two close lines', () => {
      const lines = log.records().filter((r) => r.message === 'proxy connection closed');
      return lines.length >= 2 ? lines : undefined;
    });
    assert.ok(closed.some((r) => r.identity === ALICE_ADMIN && r.sni === 'alice.localhost'));
    assert.ok(
      closed.some((r) => r.identity === 'spiffe://bob.test/app' && r.sni === 'bob.localhost'),
    );
  });

  test(
    'mtls-sni-resumption: a session from bob’s entry is not resumed through alice’s',
    T,
    async () => {
      const first = await connectOnce(port, as(dual, 'bob.localhost'), 'bob session');
      assert.equal(first.data, 'bob session', 'bob’s entry admits its own URI in the cert');
      const untrusted = await rejected('untrusted-cert');
      const second = await connectOnce(
        port,
        { ...as(dual, 'alice.localhost'), ...(first.session ? { session: first.session } : {}) },
        'resumed as alice',
      );
      assert.equal(second.data, '', 'not admitted as alice’s admin');
      assert.equal(second.reused, false, 'no session is resumed');
      await pollUntil('the refusal counted', async () =>
        (await rejected('untrusted-cert')) === untrusted + 1 ? true : undefined,
      );
    },
  );

  test(
    'mtls-sni-unknown: no name or an unknown name is refused without a default CA',
    T,
    async () => {
      const before = await rejected('unknown-sni');
      const none = await exchange(port, as(aliceAdmin), 'no sni');
      assert.equal(none.data.length, 0);
      const carol = await exchange(port, as(aliceAdmin, 'carol.localhost'), 'carol');
      assert.equal(carol.data.length, 0);
      await pollUntil('both counted as unknown-sni', async () =>
        (await rejected('unknown-sni')) === before + 2 ? true : undefined,
      );
    },
  );

  test(
    'mtls-sni-default: with a bundle CA, no or unknown names use it and the global rules only',
    T,
    async () => {
      const own = await issueCert(serverCa, {
        commonName: 'ops',
        uris: ['spiffe://ops.test/x'],
        usage: 'client',
      });
      const p = await startProxy(
        proxyConfig({
          name: 'sni-default',
          mode: 'mtls-server',
          target: echo.address,
          tls: 'server',
          sniCa,
          authorize: { uris: ['spiffe://ops.test/x'] },
        }),
        material(true),
        log.logger,
      );
      try {
        const p2 = hostPort(p.address).port;
        assert.equal((await exchange(p2, as(own), 'a')).data.toString(), 'a');
        assert.equal((await exchange(p2, as(own, 'other.localhost'), 'b')).data.toString(), 'b');
        // The bundle's CA does not admit through an entry, and an entry's CA not by default.
        assert.equal((await exchange(p2, as(own, 'alice.localhost'), 'c')).data.length, 0);
        assert.equal((await exchange(p2, as(aliceAdmin), 'd')).data.length, 0);
        // Alice's admin is allowed only by alice's rules, never by the global ones.
        assert.equal(
          (await exchange(p2, as(aliceAdmin, 'alice.localhost'), 'e')).data.toString(),
          'e',
        );
        const s = p.stats();
        assert.equal(s.rejected['untrusted-cert'], 2, JSON.stringify(s.rejected));
        assert.equal(s.rejected['unknown-sni'], undefined);
      } finally {
        await p.close(200);
      }
    },
  );
});
