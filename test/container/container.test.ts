// The closest thing to the real image that runs here: teeinit's production bundle (the one
// file teeinit.mjs the Dockerfiles ship, no node_modules) under tini as PID 1 in fresh PID, mount and
// network namespaces; loopback only; /run/secrets a tee-mount-like tmpfs; the emulator's
// state directory bound at /run/container_launcher; the shipped example config with only
// the endpoints changed. The emulator and the clients run inside the same network namespace.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { resolveUser } from '../../src/preflight/users.js';
import { hkdfSha256 } from '../../src/keys/kdf.js';
import { runCommand } from '../helpers/command.js';
import { canConnect } from '../helpers/net.js';
import { createTestPki, pskShareSecrets, tlsSecrets, type TestPki } from '../examples/world.js';
import { BUNDLE_FILE, NOTICES_FILE } from '../../scripts/bundle.js';
import { runtimePackagePaths } from '../../scripts/runtime-packages.js';
import { examplePath } from '../examples/example-config.js';
import { CLI, REPO } from '../examples/harness.js';
import { removeSharedBundle, sharedBundle } from './bundle.js';
import {
  assertLoopbackOnly,
  assertTeeMount,
  containerTree,
  expectContainerShutdown,
  secretsListing,
  waitListening,
} from './container-checks.js';
import { assertOutputsLeakFree, createFixture, type ContainerFixture } from './fixture.js';
import { namespaceUnavailable } from './namespace.js';
import { pskSClientArgv } from '../helpers/psk-client.js';

after(() => removeSharedBundle());

test('the production bundle holds only runtime dependencies', { timeout: 120_000 }, async () => {
  const bundle = await sharedBundle();
  assert.deepEqual(readdirSync(bundle.dir).sort(), [NOTICES_FILE, BUNDLE_FILE].sort());
  const modules = realpathSync(join(REPO, 'node_modules')); // may be a symlink (worktrees)
  const runtime = runtimePackagePaths(REPO).map((p) => join(modules, p));
  const inside = bundle.packages.map((p) => p.name);
  for (const p of bundle.packages) {
    assert.ok(runtime.includes(p.dir), `${p.name} (in the bundle) is a runtime dependency`);
  }
  for (const dep of ['yaml', 'zod', 'google-auth-library', 'gaxios', 'node-fetch']) {
    assert.ok(inside.includes(dep), `${dep} in the bundle`);
  }
  for (const dev of ['@peculiar/x509', '@google-cloud/secret-manager', 'typescript', 'esbuild']) {
    assert.ok(!inside.includes(dev), `${dev} (a devDependency) not in the bundle`);
  }
  const notices = readFileSync(bundle.notices, 'utf8');
  for (const p of bundle.packages) {
    assert.ok(notices.includes(`${p.name}@${p.version} (${p.license})`), `notice for ${p.name}`);
  }
  // Node resolves bare imports up the tree: no node_modules above the bundle may help out.
  for (let dir = dirname(bundle.dir); dir !== dirname(dir); dir = dirname(dir)) {
    assert.ok(!existsSync(join(dir, 'node_modules')), `no node_modules in ${dir}`);
  }
  assert.ok(!existsSync('/node_modules'), 'no /node_modules');
  // The version comes from package.json at bundle time: the bundle ships none.
  const version = await runCommand([process.execPath, bundle.cli, 'version'], { cwd: '/' });
  const fromDist = await runCommand([process.execPath, CLI, 'version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, fromDist.stdout);
});

test('every example image ships the bundle and runs it', { timeout: 10_000 }, () => {
  for (const name of ['redis', 'envoy-http', 'envoy-tcp', 'postgres', 'psk']) {
    const dockerfile = readFileSync(examplePath(name, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /&& npm run bundle\b/, `${name}: builds the bundle`);
    assert.ok(
      dockerfile.includes('COPY --from=build /src/dist/bundle /opt/teeinit\n'),
      `${name}: copies dist/bundle to /opt/teeinit`,
    );
    assert.doesNotMatch(dockerfile, /node_modules \/opt|dist\/src \/opt/, `${name}: nothing else`);
    const entry = dockerfile
      .split('\n')
      .filter((l) => l.startsWith('ENTRYPOINT'))
      .at(-1);
    assert.ok(
      entry?.includes(`"node", "--disable-sigusr1", "/opt/teeinit/${BUNDLE_FILE}", "run"`),
      `${name}: ${entry}`,
    );
  }
});

describe('container-redis', { skip: namespaceUnavailable(['redis-server', 'redis-cli']) }, () => {
  let fx: (ContainerFixture & { prepared: TestPki }) | undefined;
  before(
    async () => {
      fx = await createFixture(
        'redis',
        (dir) => createTestPki(dir),
        (pki) => tlsSecrets('redis', pki),
      );
    },
    { timeout: 180_000 },
  );
  after(async () => fx?.teardown(), { timeout: 30_000 });

  test('container-redis', { timeout: 120_000 }, async () => {
    const { ns, prepared: pki } = fx!;
    const cliArgs = (args: readonly string[]): string[] => [
      'redis-cli',
      '--tls',
      '--cert',
      pki.clientFiles.cert,
      '--key',
      pki.clientFiles.key,
      '--cacert',
      pki.clientFiles.ca,
      '-h',
      '127.0.0.1',
      '-p',
      '6379',
      ...args,
    ];
    await assertLoopbackOnly(ns);
    const hostBusy = await canConnect(6379);
    const run = fx!.start();
    await waitListening(run, ns, 6379);
    const tree = await containerTree(run, 'redis-server');
    assertTeeMount(tree.teeinit);
    assert.equal(statSync(`/proc/${tree.backend}`).uid, resolveUser('redis').uid, 'redis as redis');
    assert.deepEqual(await secretsListing(ns), ['ca.crt', 'server.crt', 'server.key']);

    const clientOutput: string[] = [];
    const ping = await ns.exec(cliArgs(['PING']));
    clientOutput.push(ping.stdout, ping.stderr);
    assert.equal(ping.stdout.trim(), 'PONG', ping.stderr);
    for (let i = 1; i <= 5; i += 1) {
      const r = await ns.exec(cliArgs(['INCR', 'hits']));
      clientOutput.push(r.stdout, r.stderr);
      assert.equal(r.stdout.trim(), String(i), r.stderr);
    }

    // From the host's network namespace the container's port is not there.
    const fromHost = await runCommand(cliArgs(['PING']), { timeoutMs: 10_000 });
    clientOutput.push(fromHost.stdout, fromHost.stderr);
    assert.notEqual(fromHost.stdout.trim(), 'PONG', 'the host reaches the container redis');
    if (!hostBusy) assert.equal(await canConnect(6379), false, 'host 127.0.0.1:6379 refused');

    // redis exits 0 on SIGTERM; tini passes teeinit's code on.
    await expectContainerShutdown(run, ns, tree, 0);
    assertOutputsLeakFree(fx!, run, clientOutput, [pki.server.key, pki.client.key]);
  });
});

const HTTP_GET = 'GET / HTTP/1.0\r\nHost: backend\r\n\r\n';

describe('container-psk', { skip: namespaceUnavailable(['openssl']) }, () => {
  const aliceHex = randomBytes(32).toString('hex');
  const bobHex = randomBytes(32).toString('hex');
  let fx: ContainerFixture | undefined;
  before(
    async () => {
      fx = await createFixture(
        'psk',
        () => Promise.resolve(undefined),
        () => pskShareSecrets(aliceHex, bobHex),
      );
    },
    { timeout: 180_000 },
  );
  after(async () => fx?.teardown(), { timeout: 30_000 });

  test('container-psk', { timeout: 120_000 }, async () => {
    const ns = fx!.ns;
    const key = hkdfSha256(
      [
        { collaborator: 'alice', secret: 'alice-share', bytes: Buffer.from(aliceHex, 'hex') },
        { collaborator: 'bob', secret: 'bob-share', bytes: Buffer.from(bobHex, 'hex') },
      ],
      'teeinit-psk-v1',
      'session-psk',
      32,
    );
    const sClient = pskSClientArgv(
      '127.0.0.1:8443',
      '-tls1_3',
      key.toString('hex'),
      'client1',
      '-ciphersuites',
      'TLS_AES_128_GCM_SHA256',
    );
    await assertLoopbackOnly(ns);
    const hostBusy = await canConnect(8443);
    const run = fx!.start();
    await waitListening(run, ns, 8443);
    const tree = await containerTree(run, 'hello over TLS-PSK');
    assertTeeMount(tree.teeinit);
    assert.equal(statSync(`/proc/${tree.backend}`).uid, resolveUser('nobody').uid);
    assert.deepEqual(await secretsListing(ns), [], 'no share or key written');

    const clientOutput: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await ns.exec(sClient, { input: HTTP_GET, timeoutMs: 20_000 });
      clientOutput.push(r.stdout, r.stderr);
      assert.match(r.stdout, /hello over TLS-PSK/, r.stderr);
    }
    // The backend is plaintext on the namespace's loopback only: reachable inside...
    const inside = await ns.exec(['curl', '-s', 'http://127.0.0.1:8080/']);
    assert.match(inside.stdout, /hello over TLS-PSK/);
    // ...and neither it nor the PSK port from the host's network namespace.
    const fromHost = await runCommand(sClient, { input: HTTP_GET, timeoutMs: 20_000 });
    clientOutput.push(fromHost.stdout, fromHost.stderr);
    assert.doesNotMatch(fromHost.stdout, /hello over TLS-PSK/);
    if (!hostBusy) assert.equal(await canConnect(8443), false, 'host 127.0.0.1:8443 refused');

    // The backend (node) dies of SIGTERM: teeinit exits 128 + 15, and tini passes it on.
    await expectContainerShutdown(run, ns, tree, 143);
    assertOutputsLeakFree(fx!, run, clientOutput, [aliceHex, bobHex, key]);
  });
});
