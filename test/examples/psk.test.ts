// examples/psk end to end: alice's share (read through her impersonated reader service
// account) and bob's share (granted to the image directly) seeded in the emulator; the
// shipped server config derives the key and terminates TLS 1.3 PSK in front of the node
// backend. Clients: openssl s_client with the key derived by the README's openssl command,
// a Node TLS client, a key from a wrong share (refused), and the shipped teeinit-client.yaml
// (psk-client and its calling app, as shipped) in a second teeinit; the status endpoint's
// /readyz. Then SIGTERM.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningEmulator } from '../../emulator/index.js';
import { hkdfSha256 } from '../../src/keys/kdf.js';
import {
  backendPids,
  expectCleanShutdown,
  expectReadyz,
  waitPort,
  waitRunning,
  waitServing,
} from './checks.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import {
  loadExample,
  processNamed,
  replaceInStrings,
  retarget,
  retargetStatus,
  writeConfig,
} from './example-config.js';
import { freePort } from '../helpers/net.js';
import {
  killTeeinit,
  listDir,
  scratch,
  startTeeinit,
  type Scratch,
  type TeeinitRun,
} from './harness.js';
import { runCommand } from '../helpers/command.js';
import { readableDir, type ReadableDir } from '../helpers/other-user.js';
import { pskShareSecrets, startWorld, testEnvironment } from './world.js';
import { opensslHkdf } from '../helpers/openssl-hkdf.js';
import { connectPsk, pskSClientArgv } from '../helpers/psk-client.js';

const HTTP_GET = 'GET / HTTP/1.0\r\nHost: backend\r\n\r\n';

/** The README's derivation: `openssl kdf ... HKDF` over length-prefixed hex shares. */
async function readmeKey(aliceHex: string, bobHex: string): Promise<string> {
  return opensslHkdf(`00000020${aliceHex}00000020${bobHex}`, 'session-psk');
}

/** One HTTP/1.0 request over TLS 1.3 PSK with Node's TLS client; resolves the response. */
function pskGet(port: number, identity: string, key: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connectPsk(port, identity, key);
    socket.once('secureConnect', () => socket.end(HTTP_GET));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', reject);
    socket.once('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.length > 0) resolve(text);
      else reject(new Error('connection closed without a response'));
    });
  });
}

/** A plain HTTP GET to 127.0.0.1:port (the calling app's view). */
function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end();
  });
}

describe('examples/psk', { timeout: 180_000 }, () => {
  let dirs: Scratch;
  let clientDirs: Scratch;
  let emulator: RunningEmulator | undefined;
  let server: TeeinitRun | undefined;
  let client: TeeinitRun | undefined;
  let serverPort: number;
  let backendPort: number;
  let statusPort: number;
  let key: Buffer;
  let backend: number[] = [];
  let readable: ReadableDir | undefined;
  const aliceHex = randomBytes(32).toString('hex');
  const bobHex = randomBytes(32).toString('hex');

  before(async () => {
    dirs = scratch('psk');
    clientDirs = scratch('psk-client');
    emulator = await startWorld(join(dirs.work, 'emulator'), pskShareSecrets(aliceHex, bobHex));
    serverPort = await freePort();
    backendPort = await freePort();
    let tree = replaceInStrings(loadExample('psk'), '8443', String(serverPort));
    tree = replaceInStrings(tree, '8080', String(backendPort));
    tree = replaceInStrings(tree, '0.0.0.0:', '127.0.0.1:');
    retarget(tree, testEnvironment(emulator, dirs.secrets));
    retargetStatus(tree, (statusPort = await freePort()));
    // The backend runs as nobody: this test's node, or a copy where nobody can execute it
    // (a node installed inside a checkout in a 0700 home is out of its reach).
    readable = await readableDir('teeinit-psk-node-');
    processNamed(tree, 'backend').run[0] = await readable.node();
    server = startTeeinit(writeConfig(dirs.work, tree));
    await waitPort(server, serverPort);
    backend = await backendPids(server, 'hello over TLS-PSK');
    key = Buffer.from(await readmeKey(aliceHex, bobHex), 'hex');
  });

  after(async () => {
    await killTeeinit(client);
    await killTeeinit(server);
    await emulator?.stop();
    dirs?.remove();
    clientDirs?.remove();
    readable?.remove();
  });

  test('the README derivation equals teeinit hkdf-sha256', { timeout: 10_000 }, () => {
    const shares = [
      { collaborator: 'alice', secret: 'alice-share', bytes: Buffer.from(aliceHex, 'hex') },
      { collaborator: 'bob', secret: 'bob-share', bytes: Buffer.from(bobHex, 'hex') },
    ];
    assert.deepEqual(hkdfSha256(shares, 'teeinit-psk-v1', 'session-psk', 32), key);
  });

  test('openssl s_client -psk reaches the backend', { timeout: 30_000 }, async () => {
    const r = await runCommand(
      pskSClientArgv(
        `127.0.0.1:${serverPort}`,
        '-tls1_3',
        key.toString('hex'),
        'client1',
        '-ciphersuites',
        'TLS_AES_128_GCM_SHA256',
      ),
      { input: HTTP_GET, timeoutMs: 20_000 },
    );
    assert.match(r.stdout, /hello over TLS-PSK/, r.stderr);
  });

  test('a Node TLS-PSK client reaches the backend', { timeout: 30_000 }, async () => {
    assert.match(await pskGet(serverPort, 'client1', key), /hello over TLS-PSK/);
  });

  test('a key from a wrong share is refused', { timeout: 30_000 }, async () => {
    const wrong = Buffer.from(await readmeKey(randomBytes(32).toString('hex'), bobHex), 'hex');
    await assert.rejects(pskGet(serverPort, 'client1', wrong));
  });

  test('an unknown identity is refused', { timeout: 30_000 }, async () => {
    await assert.rejects(pskGet(serverPort, 'mallory', key));
  });

  test(
    'teeinit-client.yaml (psk-client) connects the calling app',
    { timeout: 60_000 },
    async () => {
      const clientPort = await freePort();
      let tree = replaceInStrings(
        loadExample('psk', 'teeinit-client.yaml'),
        'psk-server.example.internal:8443',
        `127.0.0.1:${serverPort}`,
      );
      tree = replaceInStrings(tree, '127.0.0.1:8080', `127.0.0.1:${clientPort}`);
      retarget(tree, testEnvironment(emulator!, clientDirs.secrets));
      // The shipped calling app runs as shipped (as in the client image: node, as nobody):
      // its first request goes out at once, through the psk-client proxy, and prints the
      // answer. Its node is one nobody can execute, wherever the checkout lies.
      processNamed(tree, 'app').run[0] = await readable!.node();
      client = startTeeinit(writeConfig(clientDirs.work, tree));
      await waitPort(client, clientPort);
      const run = client;
      await waitServing(run, 'the shipped app to print the server answer', () =>
        /hello over TLS-PSK/.test(run.output()),
      );
      assert.match(await httpGet(clientPort), /hello over TLS-PSK/);
      const app = await backendPids(client, 'BACKEND_URL');
      assert.deepEqual(listDir(clientDirs.secrets), [], 'no share or key written');
      await expectCleanShutdown(client, app, clientDirs.secrets, 143, false);
    },
  );

  test(
    'the shipped status endpoint answers /readyz 200 (HTTP health check)',
    { timeout: 60_000 },
    async () => {
      await waitRunning(server!);
      await expectReadyz(statusPort);
    },
  );

  test('no share or key is written to the tmpfs', { timeout: 10_000 }, () => {
    assert.deepEqual(listDir(dirs.secrets), []);
  });

  test('SIGTERM stops the backend and teeinit; nothing leaked', { timeout: 40_000 }, async () => {
    // The main process is the node backend, which dies of SIGTERM: 128 + 15.
    await expectCleanShutdown(server!, backend, dirs.secrets, 143, false);
    for (const run of [server!, client]) {
      if (run) assertNoSecrets(run.output(), [aliceHex, bobHex, key], 'teeinit output');
    }
  });
});
