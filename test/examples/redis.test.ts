// examples/redis end to end: the shipped config against the emulator (fresh CA, server and
// client certificates in alice's Secret Manager, granted to the image digest), real
// redis-server as the redis user, real redis-cli over mTLS, then SIGTERM.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveUser } from '../../src/preflight/users.js';
import { runCommand } from '../helpers/command.js';
import { expectCleanShutdown, expectReadyz } from './checks.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { processNamed } from './example-config.js';
import { useMtlsExample } from './mtls-fixture.js';

describe('examples/redis', { timeout: 120_000 }, () => {
  const ex = useMtlsExample({
    example: 'redis',
    secretPrefix: 'redis',
    clientCn: 'app',
    ports: { redis: '6379' },
    listen: 'redis',
    backends: { redis: 'redis-server' },
    // Loopback only in tests (the image listens on all interfaces).
    configure: (tree) => void processNamed(tree, 'redis').run.push('--bind', '127.0.0.1'),
  });

  const cli = (args: readonly string[], withCert = true) =>
    runCommand([
      'redis-cli',
      '--tls',
      '--cacert',
      ex.pki.clientFiles.ca,
      ...(withCert ? ['--cert', ex.pki.clientFiles.cert, '--key', ex.pki.clientFiles.key] : []),
      '-h',
      '127.0.0.1',
      '-p',
      String(ex.ports.redis),
      ...args,
    ]);

  test('redis-cli with a client certificate gets PONG', { timeout: 20_000 }, async () => {
    const r = await cli(['PING']);
    assert.equal(r.stdout.trim(), 'PONG', r.stderr);
  });

  test('an INCR loop counts up over mTLS', { timeout: 60_000 }, async () => {
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
      const st = statSync(join(ex.dirs.secrets, file));
      assert.equal(st.mode & 0o777, mode, file);
      assert.equal(st.uid, redis.uid, file);
    }
    const pid = ex.pids.redis[0]!;
    const status = statSync(`/proc/${pid}`);
    assert.equal(status.uid, redis.uid);
  });

  test(
    'the shipped status endpoint answers /readyz 200 (HTTP health check)',
    { timeout: 10_000 },
    () => expectReadyz(ex.statusPort),
  );

  test('SIGTERM stops redis, exits 0 and empties the tmpfs', { timeout: 40_000 }, async () => {
    await expectCleanShutdown(ex.run, ex.pids.redis, ex.dirs.secrets, 0);
    assertNoSecrets(ex.run.output(), [ex.pki.server.key], 'teeinit output');
  });
});
