// examples/redis end to end: the shipped config against the emulator (fresh CA, server and
// client certificates in alice's Secret Manager, granted to the image digest), real
// redis-server as the redis user, real redis-cli over mTLS, then SIGTERM.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningEmulator } from '../../emulator/index.js';
import { resolveUser } from '../../src/materialize/users.js';
import { assertNoSecrets, backendPids, expectCleanShutdown, waitPort } from './checks.js';
import {
  loadExample,
  processNamed,
  replaceInStrings,
  retarget,
  writeConfig,
} from './example-config.js';
import { freePort } from '../helpers/net.js';
import { killTeeinit, scratch, startTeeinit, type Scratch, type TeeinitRun } from './harness.js';
import { runCommand } from '../helpers/command.js';
import { createTestPki, startWorld, testEnvironment, tlsSecrets, type TestPki } from './world.js';

describe('examples/redis', { timeout: 120_000 }, () => {
  let dirs: Scratch;
  let emulator: RunningEmulator | undefined;
  let run: TeeinitRun | undefined;
  let pki: TestPki;
  let port: number;
  let redisPids: number[] = [];

  const cli = (args: readonly string[], withCert = true) =>
    runCommand([
      'redis-cli',
      '--tls',
      '--cacert',
      pki.clientFiles.ca,
      ...(withCert ? ['--cert', pki.clientFiles.cert, '--key', pki.clientFiles.key] : []),
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      ...args,
    ]);

  before(async () => {
    dirs = scratch('redis');
    pki = await createTestPki(dirs.client);
    emulator = await startWorld(join(dirs.work, 'emulator'), tlsSecrets('redis', pki));
    port = await freePort();
    const tree = retarget(
      replaceInStrings(loadExample('redis'), '6379', String(port)),
      testEnvironment(emulator, dirs.secrets),
    );
    // Loopback only in tests (the image listens on all interfaces).
    processNamed(tree, 'redis').run.push('--bind', '127.0.0.1');
    run = startTeeinit(writeConfig(dirs.work, tree));
    await waitPort(run, port);
    redisPids = await backendPids(run, 'redis-server');
  });

  after(async () => {
    killTeeinit(run);
    await emulator?.stop();
    dirs?.remove();
  });

  test('redis-cli with a client certificate gets PONG', { timeout: 20_000 }, async () => {
    const r = await cli(['PING']);
    assert.equal(r.stdout.trim(), 'PONG', r.stderr);
  });

  test('an INCR loop counts up over mTLS', { timeout: 30_000 }, async () => {
    for (let i = 1; i <= 20; i += 1) {
      const r = await cli(['INCR', 'hits']);
      assert.equal(r.stdout.trim(), String(i), r.stderr);
    }
  });

  test('a client without a certificate is refused', { timeout: 20_000 }, async () => {
    const r = await cli(['PING'], false);
    assert.notEqual(r.stdout.trim(), 'PONG');
  });

  test('redis runs as redis and reads files it owns, mode 0400/0444', { timeout: 10_000 }, () => {
    const redis = resolveUser('redis');
    for (const [file, mode] of [
      ['server.key', 0o400],
      ['server.crt', 0o400],
      ['ca.crt', 0o444],
    ] as const) {
      const st = statSync(join(dirs.secrets, file));
      assert.equal(st.mode & 0o777, mode, file);
      assert.equal(st.uid, redis.uid, file);
    }
    const pid = redisPids[0]!;
    const status = statSync(`/proc/${pid}`);
    assert.equal(status.uid, redis.uid);
  });

  test('SIGTERM stops redis, exits 0 and empties the tmpfs', { timeout: 40_000 }, async () => {
    await expectCleanShutdown(run!, redisPids, dirs.secrets, 0);
    assertNoSecrets(run!.output(), [pki.server.key]);
  });
});
