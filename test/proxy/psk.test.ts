// psk-server and psk-client against real peers: openssl s_client -psk (TLS 1.3 and 1.2),
// stunnel as PSK client and as PSK server, Node's tls client, the public demo vectors;
// wrong key and unknown identity refused identically, reason logged locally.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deriveKey } from '../../src/keys/index.js';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { hostPort, makePki, proxyConfig, removePki, startEcho, type TestPki } from './helpers.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { runCommand } from '../helpers/command.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { exchange } from './tls-client.js';
import { DEMO_SHARES } from '../helpers/collaborators.js';
import { pskSClientArgv } from '../helpers/psk-client.js';

const T = { timeout: 30000 };
const { alice: ALICE, bob: BOB } = DEMO_SHARES;

/** The demo key through teeinit's own KDF (sha256 over the concatenated hex text). */
function demoKey(): Buffer {
  return deriveKey(
    'session-psk',
    { shares: ['alice-share', 'bob-share'], kdf: 'sha256-concat', salt: '', info: '', length: 32 },
    [
      { collaborator: 'alice', secret: 'alice-share', raw: Buffer.from(ALICE) },
      { collaborator: 'bob', secret: 'bob-share', raw: Buffer.from(BOB) },
    ],
  );
}

function pskMaterial(key: Buffer) {
  return { tls: new Map(), keys: new Map([['session-psk', key]]), secrets: new Map() };
}

describe('psk', () => {
  const key = demoKey();
  const keyHex = key.toString('hex');
  const log = captureLogger();
  let pki: TestPki;
  let echo: { server: Server; address: string };
  let p13: RunningProxy;
  let p12: RunningProxy;
  const children: ChildProcess[] = [];

  before(async () => {
    pki = await makePki();
    echo = await startEcho();
    const base = { target: echo.address, identities: { Client1: 'session-psk' } };
    p13 = await startProxy(
      proxyConfig({ name: 'psk13', mode: 'psk-server', ...base }),
      pskMaterial(key),
      log.logger,
    );
    p12 = await startProxy(
      proxyConfig({ name: 'psk12', mode: 'psk-server', tlsVersion: '1.2', ...base }),
      pskMaterial(key),
      log.logger,
    );
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all([p13.close(200), p12.close(200)]);
    echo.server.close();
    removePki(pki);
    assertNoSecrets(log.text(), [key], 'the proxy log');
  });

  test('psk-demo-vector: sha256-concat of the two demo shares', T, () => {
    const expected = (async () =>
      (await import('node:crypto'))
        .createHash('sha256')
        .update(ALICE + BOB)
        .digest('hex'))();
    return expected.then((hex) => assert.equal(keyHex, hex));
  });

  for (const [flag, name] of [
    ['-tls1_3', 'psk13'],
    ['-tls1_2', 'psk12'],
  ] as const) {
    test(`psk-server-openssl${flag}: s_client -psk with identity Client1`, T, async () => {
      const proxy = name === 'psk13' ? p13 : p12;
      const ciphers = flag === '-tls1_2' ? ['-cipher', 'ECDHE-PSK-AES128-CBC-SHA256'] : [];
      // -quiet implies -ign_eof: s_client stays until stopped, so stop it once the echo is in.
      const r = await runCommand(
        pskSClientArgv(proxy.address, flag, keyHex, 'Client1', ...ciphers),
        {
          input: `hello ${flag}\n`,
          untilStdout: new RegExp(`hello ${flag}`),
        },
      );
      assert.match(r.stdout, new RegExp(`hello ${flag}`), r.stderr);
    });
  }

  test(
    'psk-server-refusals: wrong key and unknown identity look the same to the peer',
    T,
    async () => {
      const wrong = 'ff'.repeat(32);
      const legit = exchange(
        hostPort(p13.address).port,
        clientPsk(key, 'Client1'),
        Buffer.alloc(100000, 1),
      );
      const wrongKey = await exchange(
        hostPort(p13.address).port,
        clientPsk(Buffer.from(wrong, 'hex'), 'Client1'),
        'x',
      );
      const unknown = await exchange(hostPort(p13.address).port, clientPsk(key, 'Mallory'), 'x');
      assert.equal(wrongKey.data.length, 0);
      assert.equal(unknown.data.length, 0);
      assert.equal(wrongKey.error, unknown.error, 'same error seen by the peer');
      for (const [proxy, flag] of [
        [p13, '-tls1_3'],
        [p12, '-tls1_2'],
      ] as const) {
        const a = await runCommand(pskSClientArgv(proxy.address, flag, wrong, 'Client1'), {
          input: 'x\n',
          keepStdinOpenMs: 500,
        });
        const b = await runCommand(pskSClientArgv(proxy.address, flag, keyHex, 'Nobody'), {
          input: 'x\n',
          keepStdinOpenMs: 500,
        });
        assert.equal(alertOf(a.stderr), alertOf(b.stderr), `${flag}: ${a.stderr} vs ${b.stderr}`);
        assert.doesNotMatch(a.stdout + b.stdout, /x/);
      }
      assert.equal((await legit).data.length, 100000);
      const s13 = p13.stats().rejected;
      assert.ok((s13['psk-bad-key'] ?? 0) >= 2, JSON.stringify(s13));
      assert.ok((s13['psk-unknown-identity'] ?? 0) >= 2, JSON.stringify(s13));
      assert.equal(p12.stats().rejected['psk-bad-key'], 1);
      assert.equal(p12.stats().rejected['psk-unknown-identity'], 1);
      assert.match(log.text(), /"reason":"psk-unknown-identity".*"identity":"Mallory"/);
    },
  );

  test('psk-server-tls11: TLS 1.1 offered is refused', T, async () => {
    const r = await runCommand(
      pskSClientArgv(
        p12.address,
        '-tls1_1',
        keyHex,
        'Client1',
        '-cipher',
        'PSK-AES128-CBC-SHA@SECLEVEL=0',
      ),
      { input: 'x\n', keepStdinOpenMs: 500 },
    );
    assert.doesNotMatch(r.stdout, /x/);
    await pollUntil(
      'refusal counted',
      () =>
        (p12.stats().rejected['tls-version'] ?? 0) >= 1 ||
        (p12.stats().rejected['handshake-failed'] ?? 0) >= 1,
      3000,
    );
  });

  test('psk-stunnel-client: stunnel as PSK client against our psk-server', T, async () => {
    const port = await freePort();
    const secrets = join(pki.dir, 'psk-client.txt');
    writeFileSync(secrets, `Client1:${keyHex}\n`, { mode: 0o600 });
    const conf = join(pki.dir, 'stunnel-client.conf');
    writeFileSync(
      conf,
      `foreground = yes\npid =\ndebug = 3\n[c]\nclient = yes\naccept = 127.0.0.1:${port}\nconnect = ${p13.address}\nPSKsecrets = ${secrets}\nPSKidentity = Client1\nsslVersionMin = TLSv1.3\nciphersuites = TLS_AES_128_GCM_SHA256\n`,
    );
    const st = spawn('stunnel', [conf], { stdio: 'ignore' });
    children.push(st);
    try {
      const reply = await retry(() => plainExchange(port, 'via stunnel\n', 'line'));
      assert.equal(reply, 'via stunnel\n');
    } finally {
      st.kill('SIGTERM');
    }
  });

  test(
    'psk-client-stunnel-server: our psk-client in front of stunnel as PSK server',
    T,
    async () => {
      const port = await freePort();
      const secrets = join(pki.dir, 'psk-server.txt');
      writeFileSync(secrets, `Client1:${keyHex}\n`, { mode: 0o600 });
      const conf = join(pki.dir, 'stunnel-server.conf');
      writeFileSync(
        conf,
        `foreground = yes\npid =\ndebug = 3\n[s]\naccept = 127.0.0.1:${port}\nconnect = ${echo.address}\nPSKsecrets = ${secrets}\nsslVersionMin = TLSv1.3\nciphersuites = TLS_AES_128_GCM_SHA256\n`,
      );
      const st = spawn('stunnel', [conf], { stdio: 'ignore' });
      children.push(st);
      const client = await startProxy(
        proxyConfig({
          name: 'pskc',
          mode: 'psk-client',
          target: `127.0.0.1:${port}`,
          identities: { Client1: 'session-psk' },
        }),
        pskMaterial(key),
        log.logger,
      );
      try {
        const port = hostPort(client.address).port;
        const reply = await retry(() => plainExchange(port, 'to stunnel\n', 'line'));
        assert.equal(reply, 'to stunnel\n');
      } finally {
        st.kill('SIGTERM');
        await client.close(200);
      }
    },
  );

  test('psk-client-to-psk-server: both ends teeinit, TLS 1.2 and 1.3', T, async () => {
    for (const server of [p13, p12]) {
      const client = await startProxy(
        proxyConfig({
          name: 'chain',
          mode: 'psk-client',
          target: server.address,
          tlsVersion: server === p12 ? '1.2' : '1.3',
          identities: { Client1: 'session-psk' },
        }),
        pskMaterial(key),
        log.logger,
      );
      try {
        const got = await plainExchange(hostPort(client.address).port, 'chained', 'close');
        assert.equal(got, 'chained');
      } finally {
        await client.close(200);
      }
    }
  });
});

function clientPsk(psk: Buffer, identity: string) {
  return {
    pskCallback: () => ({ psk, identity }),
    ciphers: 'TLS_AES_128_GCM_SHA256',
    minVersion: 'TLSv1.3' as const,
    checkServerIdentity: () => undefined,
  };
}

function alertOf(stderr: string): string {
  const m = /alert ([a-z ]+)/i.exec(stderr) ?? /error:[0-9A-F]+:([^:]+:[^:]+)/.exec(stderr);
  return m?.[1] ?? stderr.split('\n')[0] ?? '';
}

/**
 * A plaintext client on 127.0.0.1:`port`: writes `text`, then `line` resolves with what came
 * back up to the first newline (rejects when the connection closes before one), `close` ends
 * its side at once and resolves with all that came back when the connection closes.
 */
function plainExchange(port: number, text: string, until: 'line' | 'close'): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.on('error', reject);
    s.on('connect', () => (until === 'close' ? s.end(text) : s.write(text)));
    s.on('data', (d: Buffer) => {
      out += d.toString();
      if (until === 'line' && out.includes('\n')) {
        resolve(out);
        s.destroy();
      }
    });
    s.on('close', () =>
      until === 'close' ? resolve(out) : reject(new Error('closed before a line came back')),
    );
  });
}

async function retry<T>(fn: () => Promise<T>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
