// `teeinit run` with `refresh:` against the emulator: an alias moved to a new certificate
// reaches the tmpfs file (same mode and owner), the process (SIGHUP) and the mTLS proxy
// (new leaf for new connections, old connections keep going) but not a PSK proxy that does
// not use it; per-secret fetch lines stay at start-up; a rotated certificate that fails
// validation, Secret Manager answering 503, or a fetch outlasting refresh.deadline keeps
// the old material and logs a warning; SIGTERM during a slow refresh exits promptly with
// every file removed; no secret value in any output.
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoWorld } from '../../emulator/demo-world.js';
import { holdRoute } from '../helpers/hold-route.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { httpAnswer } from '../helpers/http-get.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { logLines, runTeeinit, type TeeinitProcess } from '../helpers/teeinit-process.js';
import { allowNonTmpfs, removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';
import { demoSecretValues } from '../run/run-world.js';
import { ingressProxy, worldConfig, writeConfig } from '../run/world-config.js';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { newServerCert, openSession, seedVersions, startAliasedWorld } from './rotation.js';

// An echo server on argv[1] that reports SIGHUP (it is given the cert path, so it "uses" it).
const ECHO = `
const port = Number(process.argv[1]);
process.on('SIGHUP', () => console.log('GOT SIGHUP'));
require('node:net').createServer((s) => s.pipe(s)).listen(port, '127.0.0.1');
`;

/** The part of the `/status` document the refresh tests read. */
interface RefreshStatusBody {
  refresh: { lastAttemptAt?: string; lastSuccessAt?: string; lastError?: { code: string } };
  certificates: { bundle: string; notAfter: string }[];
}

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('refresh: secret rotation while running', { timeout: 240_000 }, () => {
  let world: DemoWorld;
  let work: string;
  const secrets = tmpfsDir('teeinit-refresh-secrets-');
  let t: TeeinitProcess | undefined;
  const extraValues: string[] = [];

  beforeEach(async () => {
    work = tempDir('teeinit-refresh-').dir;
    world = await startAliasedWorld(join(work, 'emulator'));
  });
  afterEach(async () => {
    // SIGTERM, not SIGKILL: teeinit stops its child (an orphan would hold the output pipes).
    t?.kill('SIGTERM');
    await t?.exited().catch(() => undefined);
    t = undefined;
    world.emulator.faults.clear();
    await world.stop();
    removeDir(work);
  });
  after(() => removeDir(secrets.path));

  /** Starts teeinit with an echo process (onRefresh SIGHUP) behind an mtls-server proxy. */
  async function start(
    name: string,
    refresh: Record<string, unknown> = {},
    moreProxies: Record<string, unknown>[] = [],
    extra: Record<string, unknown> = {},
  ): Promise<{ dir: string; proxyPort: number; t: TeeinitProcess }> {
    const dir = join(secrets.path, name);
    const [backend, proxyPort] = [await freePort(), await freePort()];
    const config = worldConfig(
      world,
      dir,
      [
        {
          name: 'app',
          run: [process.execPath, '-e', ECHO, String(backend), '{{ file server-cert }}'],
          ready: { tcp: `127.0.0.1:${backend}` },
          onRefresh: { signal: 'SIGHUP' },
        },
      ],
      {
        refresh: {
          interval: '1s',
          jitter: 0,
          retry: { backoff: '200ms', maxBackoff: '1s' },
          ...refresh,
        },
        proxies: [ingressProxy(proxyPort, backend), ...moreProxies],
        ...extra,
      },
    );
    allowNonTmpfs(config, secrets);
    t = runTeeinit(['run', '-c', writeConfig(work, config)]);
    await t.waitFor(/"message":"running"/, 30_000);
    return { dir, proxyPort, t };
  }

  const count = (p: TeeinitProcess, re: RegExp): number =>
    p
      .output()
      .split('\n')
      .filter((l) => re.test(l)).length;

  test(
    'refresh-rotated-alias: file, SIGHUP, new leaf, old connection',
    { timeout: 60_000 },
    async () => {
      // bob's share follows `latest`: start-up warns once, refresh cycles do not repeat it.
      const configSecrets = world.configBase.secrets as Record<string, { ref: string }>;
      const bobShare = configSecrets['bob-share'];
      assert.ok(bobShare, 'the demo world has bob-share');
      bobShare.ref = bobShare.ref.replace(/versions\/[^/]+$/, 'versions/latest');
      const { dir, proxyPort, t: run } = await start('rotate');
      const certFile = join(dir, 'server-cert');
      const before = statSync(certFile);
      const old = await openSession(world, proxyPort);
      assert.equal(old.leafSha256, fingerprint(world.server.cert));
      assert.equal(await old.echo('before'), 'before');

      const next = await newServerCert(world);
      extraValues.push(next.key);
      seedVersions(world, [next], 2);
      await run.waitFor(/"message":"secrets refreshed"/, 30_000);
      await pollUntil(
        'the new certificate on tmpfs',
        () => readFileSync(certFile, 'utf8') === next.cert,
        20_000,
      );
      assert.equal(readFileSync(join(dir, 'server.key'), 'utf8'), next.key);
      const after = statSync(certFile);
      assert.equal(after.mode & 0o777, before.mode & 0o777);
      assert.equal(after.uid, before.uid);
      assert.equal(after.gid, before.gid);
      assert.equal(statSync(join(dir, 'server.key')).mode & 0o777, 0o600);
      await run.waitFor(/GOT SIGHUP/, 20_000);

      const fresh = await openSession(world, proxyPort);
      assert.equal(fresh.leafSha256, fingerprint(next.cert), 'new connections get the new leaf');
      assert.equal(await fresh.echo('new'), 'new');
      assert.equal(await old.echo('still'), 'still', 'the connection opened before still works');
      old.socket.destroy();
      fresh.socket.destroy();

      const refreshed = logLines(run.stdout()).find((l) => l.message === 'secrets refreshed');
      assert.deepEqual(refreshed?.changed, ['server-cert', 'server-key']);
      // Unchanged cycles after the rotation say so, and do not signal again. (Cycles before
      // the rotation logged "secrets unchanged" too: only a line after "refreshed" counts.)
      const hups = count(run, /GOT SIGHUP/);
      const mark = run.stdout().indexOf('"message":"secrets refreshed"');
      await pollUntil(
        'an unchanged cycle after the rotation',
        () => run.stdout().slice(mark).includes('"message":"secrets unchanged"'),
        20_000,
      );
      assert.equal(count(run, /GOT SIGHUP/), hups);
      // At the default level, per-secret fetch lines are start-up's only; cycles summarize.
      const lines = logLines(run.stdout());
      const runningAt = lines.findIndex((l) => l.message === 'running');
      assert.ok(runningAt > 0, 'running is logged');
      const fetched = (l: { message?: unknown }): boolean =>
        l.message === 'secret fetched' || l.message === 'all secrets fetched';
      assert.ok(lines.slice(0, runningAt).some(fetched), 'start-up logs each secret fetched');
      assert.deepEqual(
        lines.slice(runningAt).filter(fetched),
        [],
        'no per-secret fetch lines from refresh cycles',
      );
      assert.equal(count(run, /secret uses version \\"latest\\"/), 1, 'the latest warning, once');
      run.kill('SIGTERM');
      assert.equal(await run.exited(), 143, run.output());
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'secrets directory emptied');
      assertNoSecrets(run.output(), [...demoSecretValues(world), ...extraValues], 'teeinit output');
    },
  );

  test(
    'refresh-invalid-rotation: key mismatch keeps the old material',
    { timeout: 60_000 },
    async () => {
      const { dir, proxyPort, t: run } = await start('mismatch');
      const certFile = join(dir, 'server-cert');
      const next = await newServerCert(world);
      extraValues.push(next.key);
      seedVersions(world, [next], 2, true); // the cert moves, the key stays: they do not match
      await pollUntil(
        'two failed refreshes',
        () => count(run, /secret refresh failed/) >= 2,
        30_000,
      );
      const warning = logLines(run.stderr()).find(
        (l) => l.message === 'secret refresh failed; keeping the previous secrets',
      );
      assert.equal(warning?.code, 'TEEINIT_CERT_KEY_MISMATCH');
      assert.match(String(warning?.error), /server/);
      assert.equal(readFileSync(certFile, 'utf8'), world.server.cert, 'old certificate kept');
      assert.doesNotMatch(run.output(), /GOT SIGHUP/);
      assert.equal(run.child.exitCode, null, 'teeinit still running');
      const s = await openSession(world, proxyPort);
      assert.equal(s.leafSha256, fingerprint(world.server.cert));
      s.socket.destroy();
      assertNoSecrets(run.output(), [...demoSecretValues(world), ...extraValues], 'teeinit output');
    },
  );

  test('refresh-503: warning, then recovery', { timeout: 60_000 }, async () => {
    const statusPort = await freePort();
    const { dir, t: run } = await start('unavailable', {}, [], {
      status: { listen: `127.0.0.1:${statusPort}` },
    });
    const status = async (): Promise<RefreshStatusBody> => {
      const res = await httpAnswer(statusPort, '/status', { timeoutMs: 5000 });
      assert.equal(res.status, 200);
      return JSON.parse(res.body) as RefreshStatusBody;
    };
    for (const r of parseFaultRules({
      id: 'down',
      route: 'secretmanager.access',
      error: { status: 503 },
    }))
      world.emulator.faults.add(r);
    await run.waitFor(/secret refresh failed/, 30_000);
    const warning = logLines(run.stderr()).find(
      (l) => l.message === 'secret refresh failed; keeping the previous secrets',
    );
    assert.ok(String(warning?.code).startsWith('TEEINIT_'), String(warning?.code));
    assert.ok(typeof warning?.secret === 'string', 'the warning names the secret');
    assert.ok(Number(warning?.retryInMs) <= 1000);
    assert.equal(readFileSync(join(dir, 'server-cert'), 'utf8'), world.server.cert);
    // The status endpoint reports the failed cycle by code and message (no secret).
    const failed = await status();
    assert.equal(failed.refresh.lastError?.code, warning?.code);
    assert.ok(failed.refresh.lastAttemptAt, 'the failed attempt is reported');
    assertNoSecrets(JSON.stringify(failed), demoSecretValues(world), '/status');
    const next = await newServerCert(world);
    extraValues.push(next.key);
    seedVersions(world, [next], 2);
    world.emulator.faults.remove('down');
    await run.waitFor(/"message":"secrets refreshed"/, 30_000);
    await pollUntil(
      'the new certificate',
      () => readFileSync(join(dir, 'server-cert'), 'utf8') === next.cert,
      20_000,
    );
    assert.equal(run.child.exitCode, null, 'teeinit still running');
    // Recovered: the error is cleared and the new leaf's expiry is the one reported.
    const nextNotAfter = new Date(new X509Certificate(next.cert).validTo).toISOString();
    await pollUntil(
      'status reports the recovery',
      async () => {
        const now = await status();
        return (
          now.refresh.lastError === undefined &&
          now.refresh.lastSuccessAt !== undefined &&
          now.certificates.some((c) => c.bundle === 'server' && c.notAfter === nextNotAfter)
        );
      },
      20_000,
    );
    assertNoSecrets(run.output(), [...demoSecretValues(world), ...extraValues], 'teeinit output');
  });

  test(
    'refresh-proxy-untouched: only the proxy whose certificate rotated swaps',
    { timeout: 60_000 },
    async () => {
      const pskPort = await freePort();
      const { proxyPort, t: run } = await start('two-proxies', {}, [
        {
          name: 'psk-in',
          mode: 'psk-server',
          listen: `127.0.0.1:${pskPort}`,
          target: '127.0.0.1:9',
          psk: 'session-psk',
          identity: 'client',
        },
      ]);
      const next = await newServerCert(world);
      extraValues.push(next.key);
      seedVersions(world, [next], 2);
      await run.waitFor(/"message":"secrets refreshed"/, 30_000);
      const lines = logLines(run.stdout());
      const refreshed = lines.find((l) => l.message === 'secrets refreshed');
      assert.equal(refreshed?.proxies, 1, 'one proxy swapped');
      const swaps = lines.filter((l) => l.message === 'proxy material updated');
      assert.deepEqual(
        swaps.map((l) => l.proxy),
        ['ingress'],
      );
      assert.ok(
        !logLines(run.stderr()).some((l) => l.proxy === 'psk-in'),
        'the PSK proxy logs nothing about a swap',
      );
      const s = await openSession(world, proxyPort);
      assert.equal(s.leafSha256, fingerprint(next.cert), 'the mTLS proxy has the new leaf');
      s.socket.destroy();
      assertNoSecrets(run.output(), [...demoSecretValues(world), ...extraValues], 'teeinit output');
    },
  );

  test(
    'refresh-deadline: a fetch outlasting refresh.deadline warns naming the key and secret',
    { timeout: 60_000 },
    async () => {
      const { dir, t: run } = await start('deadline', { deadline: '1s' });
      const held = holdRoute(world.emulator, { route: 'secretmanager.access', latencyMs: 10_000 });
      await held(20_000);
      await run.waitFor(/secret refresh failed/, 20_000);
      const warning = logLines(run.stderr()).find(
        (l) => l.message === 'secret refresh failed; keeping the previous secrets',
      );
      assert.equal(warning?.code, 'TEEINIT_REFRESH_DEADLINE');
      assert.equal(warning?.deadline, 'refresh.deadline');
      assert.match(
        String(warning?.error),
        /^Fetching secrets did not finish within refresh\.deadline \(1000 ms\); still waiting for: /,
      );
      assert.doesNotMatch(String(warning?.error), /startupDeadline/);
      assert.ok(String(warning?.pending).length > 0, 'the warning names the pending secrets');
      assert.equal(readFileSync(join(dir, 'server-cert'), 'utf8'), world.server.cert);
      assert.equal(run.child.exitCode, null, 'teeinit still running');
      assertNoSecrets(run.output(), [...demoSecretValues(world), ...extraValues], 'teeinit output');
    },
  );

  test(
    'refresh-sigterm-during-slow-refresh: prompt exit, files removed',
    { timeout: 60_000 },
    async () => {
      const { dir, t: run } = await start('slow', { deadline: '2m' });
      const held = holdRoute(world.emulator, { route: 'secretmanager.access', latencyMs: 10_000 });
      await held(20_000);
      assert.ok(readdirSync(dir).length > 0);
      const began = Date.now();
      run.kill('SIGTERM');
      assert.equal(await run.exited(20_000), 143, run.output());
      // Well before the held request (10 s) could have answered.
      assert.ok(Date.now() - began < 6_000, `exit took ${Date.now() - began} ms`);
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'secrets directory emptied');
      assert.doesNotMatch(run.output(), /secret refresh failed/);
      assertNoSecrets(run.output(), [...demoSecretValues(world), ...extraValues], 'teeinit output');
    },
  );
});
