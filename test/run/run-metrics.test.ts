// `/metrics` through the real CLI against the emulator: after `running`, a loopback scrape
// is 200 in the Prometheus text format (0.0.4) that a strict reader accepts, shows the
// process up, the bundle's notAfter as the `certificate validated` log line gives it, and a
// proxy's accepted and byte counters that go up after a real mTLS client's connection; no
// secret value, argv, env or path is in it. (Off loopback it is 404: run-status.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { httpAnswer } from '../helpers/http-get.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-parse.js';
import { logLines, runTeeinit } from '../helpers/teeinit-process.js';
import { openSession } from '../refresh/rotation.js';
import { useRunWorld } from './run-world.js';
import { ingressProxy, worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

const ARGV_MARKER = 'argv-marker-7c1e5a93d2';
const ENV_MARKER = 'env-marker-2b9f04e6a8';

// An echo server on argv[1] (the proxy's target).
const ECHO = [
  'const port = Number(process.argv[1]);',
  "require('node:net').createServer((s) => s.pipe(s)).listen(port, '127.0.0.1');",
].join(' ');

describe('run: metrics endpoint', { timeout: 120_000 }, () => {
  const ctx = useRunWorld('teeinit-metrics');

  test('metrics: format, process, notAfter, proxy counters after a connection, no secrets', async () => {
    const [port, backend, proxyPort] = [await freePort(), await freePort(), await freePort()];
    const dir = join(ctx.secrets.path, 'metrics');
    const config = worldConfig(
      ctx.world,
      dir,
      [
        {
          name: 'app',
          run: [
            process.execPath,
            '-e',
            ECHO,
            String(backend),
            ARGV_MARKER,
            '{{ file server-key }}',
          ],
          env: { APP_MARKER: ENV_MARKER },
          ready: { tcp: `127.0.0.1:${backend}` },
        },
      ],
      {
        status: { listen: `127.0.0.1:${port}` },
        refresh: { interval: '1h' },
        proxies: [ingressProxy(proxyPort, backend)],
      },
    );
    allowNonTmpfs(config, ctx.secrets);
    const work = join(ctx.work, 'metrics');
    mkdirSync(work, { recursive: true });
    const t = runTeeinit(['run', '-c', writeConfig(work, config)]);
    await t.waitFor(/"message":"running"/, 30_000);
    assert.match(t.stdout(), /"paths":\["\/healthz","\/readyz","\/status","\/metrics"\]/);

    const first = await httpAnswer(port, '/metrics');
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const m = parseExposition(first.body);
    assert.match(first.body, /^teeinit_process_up\{process="app"\} 1$/m);
    assert.equal(sampleValue(m, 'teeinit_up'), 1);
    assert.equal(sampleValue(m, 'teeinit_phase', { phase: 'running' }), 1);
    assert.equal(sampleValue(m, 'teeinit_phase', { phase: 'starting' }), 0);
    assert.equal(sampleValue(m, 'teeinit_process_ready', { process: 'app' }), 1);
    assert.equal(sampleValue(m, 'teeinit_process_restarts_total', { process: 'app' }), 0);
    const started = sampleValue(m, 'teeinit_start_time_seconds') ?? 0;
    assert.ok(started <= Date.now() / 1000 && started > Date.now() / 1000 - 120, String(started));
    const logged = logLines(t.stdout()).find((l) => l.message === 'certificate validated');
    assert.equal(
      sampleValue(m, 'teeinit_certificate_not_after_seconds', { bundle: 'server' }),
      Date.parse(String(logged?.notAfter)) / 1000,
    );
    assert.equal(sampleValue(m, 'teeinit_refresh_attempts_total'), 0);
    assert.equal(sampleValue(m, 'teeinit_refresh_failures_total'), 0);
    assert.ok(!m.families.has('teeinit_refresh_last_success_seconds'), 'no success yet');
    const proxy = { proxy: 'ingress', mode: 'mtls-server' };
    assert.equal(sampleValue(m, 'teeinit_proxy_connections_accepted_total', proxy), 0);
    assert.equal(m.families.get('teeinit_proxy_connections_accepted_total')?.type, 'counter');

    // A real mTLS client through the proxy to the echo process.
    const session = await openSession(ctx.world, proxyPort);
    try {
      assert.equal(await session.echo('hello metrics'), 'hello metrics');
      const after = await pollUntil('the proxy counters to move', async () => {
        const a = parseExposition((await httpAnswer(port, '/metrics')).body);
        const out = sampleValue(a, 'teeinit_proxy_bytes_total', { ...proxy, direction: 'out' });
        return (out ?? 0) > 0 ? a : undefined;
      });
      assert.equal(sampleValue(after, 'teeinit_proxy_connections_accepted_total', proxy), 1);
      assert.equal(sampleValue(after, 'teeinit_proxy_connections_established_total', proxy), 1);
      assert.equal(sampleValue(after, 'teeinit_proxy_connections_open', proxy), 1);
      const bytesIn = sampleValue(after, 'teeinit_proxy_bytes_total', {
        ...proxy,
        direction: 'in',
      });
      assert.equal(bytesIn, 'hello metrics\n'.length);
    } finally {
      session.socket.destroy();
    }
    const final = (await httpAnswer(port, '/metrics')).body;
    assertNoSecrets(final, ctx.secretValues, 'the /metrics body');
    for (const marker of [ARGV_MARKER, ENV_MARKER, dir, work])
      assert.ok(!final.includes(marker), `/metrics holds no argv, env or path (${marker})`);

    t.kill('SIGTERM');
    await t.exited();
    assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
  });
});
