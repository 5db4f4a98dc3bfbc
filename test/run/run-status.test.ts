// The teeinit-wide status endpoint through the real CLI against the emulator: /readyz says
// "starting" while a process's ready check fails and "ok" once teeinit logged `running`;
// /status shows the real child's pid, the bundle's notAfter and no secret, argv or env
// value; after SIGTERM, while the app stops, /healthz and /readyz answer 503 "stopping";
// a non-loopback listen serves /healthz but not /status or /metrics; a port in use stops
// start-up before anything is fetched.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { httpAnswer, httpGet } from '../helpers/http-get.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { logLines, runTeeinit } from '../helpers/teeinit-process.js';
import { useRunWorld } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

const ARGV_MARKER = 'argv-marker-9f3c2e7a1b';
const ENV_MARKER = 'env-marker-4d8b6a0c5e';

// An app that reports its pid and exits 7 after SIGTERM: a moment after, or, when
// $STOP_GATE is set, once the test creates that file (so teeinit is seen stopping).
const APP = [
  "console.log('APP_PID=' + process.pid);",
  "process.on('SIGTERM', () => { const gate = process.env.STOP_GATE; if (!gate) return void setTimeout(() => process.exit(7), 300);",
  "setInterval(() => { if (require('node:fs').existsSync(gate)) process.exit(7); }, 50); });",
  'setInterval(() => {}, 1000);',
].join(' ');

// Listens on argv[1] at once the first time; once restarted (argv[3] exists), only after
// the test creates the gate argv[2].
const RESTARTING_APP = [
  "const [port, gate, marker] = process.argv.slice(1); const fs = require('node:fs');",
  "console.log('APP_PID=' + process.pid); process.on('SIGTERM', () => process.exit(0));",
  'const first = !fs.existsSync(marker); fs.writeFileSync(marker, "");',
  "const listen = () => require('node:net').createServer((s) => s.end()).listen(Number(port), '127.0.0.1');",
  'if (first) listen();',
  'else { const i = setInterval(() => { if (fs.existsSync(gate)) { clearInterval(i); listen(); } }, 50); }',
].join(' ');

/** Writes a raw request and resolves with what came back before the server closed or 2 s. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('run: status endpoint', { timeout: 240_000 }, () => {
  const ctx = useRunWorld('teeinit-status');

  const config = (
    name: string,
    listen: string,
    processes: unknown[],
    extra: Record<string, unknown> = {},
  ): { path: string; dir: string } => {
    const dir = join(ctx.secrets.path, name);
    const c = worldConfig(ctx.world, dir, processes, { status: { listen }, ...extra });
    allowNonTmpfs(c, ctx.secrets);
    const work = join(ctx.work, name);
    mkdirSync(work, { recursive: true });
    return { path: writeConfig(work, c), dir };
  };

  test('readyz: starting until running; status: pid, notAfter, no secrets; SIGTERM', async () => {
    const port = await freePort();
    const gate = join(ctx.work, 'ready-gate');
    const stopGate = join(ctx.work, 'stop-gate');
    const { path, dir } = config(
      'loopback',
      `127.0.0.1:${port}`,
      [
        {
          name: 'app',
          run: [process.execPath, '-e', APP, ARGV_MARKER, '{{ file server-key }}'],
          env: { APP_MARKER: ENV_MARKER, STOP_GATE: stopGate },
          ready: { file: gate, timeout: '60s', interval: '50ms' },
        },
      ],
      { refresh: { interval: '1h' } },
    );
    const t = runTeeinit(['run', '-c', path]);
    await t.waitFor(/APP_PID=\d+/);
    // The process runs, its ready check fails: healthy, not ready.
    const starting = await httpAnswer(port, '/readyz');
    assert.equal(starting.status, 503);
    assert.equal(starting.body.trim(), 'starting');
    assert.equal(starting.headers['cache-control'], 'no-store');
    assert.equal((await httpAnswer(port, '/healthz')).status, 200);
    const early = JSON.parse((await httpAnswer(port, '/status')).body) as Record<string, unknown>;
    assert.equal(early.phase, 'starting');
    assert.ok(!t.stdout().includes('"message":"running"'));

    writeFileSync(gate, '');
    await t.waitFor(/"message":"running"/);
    const ready = await httpAnswer(port, '/readyz');
    assert.deepEqual([ready.status, ready.body.trim()], [200, 'ok']);
    const head = await httpAnswer(port, '/readyz', { method: 'HEAD' });
    assert.deepEqual([head.status, head.body], [200, '']);
    assert.equal((await httpAnswer(port, '/readyz', { method: 'POST' })).status, 405);
    assert.equal((await httpAnswer(port, '/nope')).status, 404);

    const raw = (await httpAnswer(port, '/status')).body;
    const doc = JSON.parse(raw) as {
      phase: string;
      configSha256: string;
      uptimeMs: number;
      processes: { name: string; pid?: number; restarts: number; ready: boolean }[];
      certificates: { bundle: string; subject: string; notAfter: string; daysLeft: number }[];
      refresh: { enabled: boolean; nextAt?: string };
      proxies: unknown[];
    };
    const pid = Number(/APP_PID=(\d+)/.exec(t.stdout())?.[1]);
    assert.equal(doc.phase, 'running');
    assert.deepEqual(doc.processes, [{ name: 'app', pid, restarts: 0, ready: true }]);
    const logged = logLines(t.stdout()).find((l) => l.message === 'certificate validated');
    assert.equal(doc.certificates.length, 1);
    assert.equal(doc.certificates[0]?.bundle, 'server');
    assert.equal(doc.certificates[0]?.notAfter, logged?.notAfter);
    assert.equal(doc.certificates[0]?.subject, logged?.subject);
    assert.equal(doc.certificates[0]?.daysLeft, logged?.daysLeft);
    const hash = logLines(t.stdout()).find((l) => l.message === 'teeinit starting')?.configSha256;
    assert.equal(doc.configSha256, hash);
    assert.ok(doc.uptimeMs > 0);
    assert.equal(doc.refresh.enabled, true);
    assert.ok(Date.parse(doc.refresh.nextAt ?? '') > Date.now());
    assertNoSecrets(raw, ctx.secretValues, 'the /status document');
    for (const marker of [ARGV_MARKER, ENV_MARKER, stopGate, dir])
      assert.ok(!raw.includes(marker), `/status holds no argv, env or path (${marker})`);

    t.kill('SIGTERM');
    // The app exits only once the test creates the stop gate: until then teeinit is stopping,
    // still serving, and both endpoints say so (never "ok").
    const stopping = await pollUntil('a stopping answer', async () => {
      const a = await httpAnswer(port, '/healthz');
      return a.status === 503 ? a : undefined;
    });
    assert.equal(stopping.body.trim(), 'stopping');
    const unready = await httpAnswer(port, '/readyz');
    assert.deepEqual([unready.status, unready.body.trim()], [503, 'stopping']);
    writeFileSync(stopGate, '');
    assert.equal(await t.exited(), 7, t.output());
    assert.equal(await httpGet(port, '/healthz'), 'refused');
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'secret files removed');
    assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
  });

  test('non-loopback listen: /healthz and /readyz only, /status and /metrics are 404', async () => {
    const port = await freePort();
    const { path } = config('wildcard', `0.0.0.0:${port}`, [
      { name: 'app', run: [process.execPath, '-e', APP] },
    ]);
    const t = runTeeinit(['run', '-c', path]);
    await t.waitFor(/"message":"running"/);
    await t.waitFor(/APP_PID=\d+/); // its SIGTERM handler is installed
    assert.deepEqual(
      [(await httpAnswer(port, '/healthz')).status, (await httpAnswer(port, '/readyz')).status],
      [200, 200],
    );
    for (const path of ['/status', '/metrics']) {
      const status = await httpAnswer(port, path);
      assert.equal(status.status, 404, path);
      assert.ok(!status.body.includes('app'), 'a 404 says nothing about the workload');
    }
    // Request targets that are not URLs are answered (or refused by the HTTP parser), and
    // teeinit keeps running: anyone who reaches this port may send them.
    for (const target of ['//', '//x:99999/', 'http://[', '/healthz?a=%']) {
      const answer = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 (200|400|404) /, target);
    }
    assert.equal((await httpAnswer(port, '/healthz')).status, 200, 'still serving');
    assert.equal(t.child.exitCode, null, 'teeinit still running');
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 7, t.output());
  });

  test('readyz: "restarting" while a crashed process is restarted and not yet ready', async () => {
    const [port, appPort] = [await freePort(), await freePort()];
    const gate = join(ctx.work, 'restart-gate');
    const marker = join(ctx.work, 'restart-marker');
    const { path } = config('restarting', `127.0.0.1:${port}`, [
      {
        name: 'app',
        run: [process.execPath, '-e', RESTARTING_APP, String(appPort), gate, marker],
        ready: { tcp: `127.0.0.1:${appPort}`, timeout: '60s', interval: '50ms' },
        restart: { policy: 'on-failure', backoff: '100ms' },
      },
    ]);
    const t = runTeeinit(['run', '-c', path]);
    await t.waitFor(/"message":"running"/);
    assert.deepEqual((await httpAnswer(port, '/readyz')).body.trim(), 'ok');
    const first = Number(/APP_PID=(\d+)/.exec(t.stdout())?.[1]);
    process.kill(first, 'SIGKILL'); // teeinit's own child, started by this test
    // The restarted process waits for the gate before it listens: not ready, and said so.
    const restarting = await pollUntil('readyz says restarting', async () => {
      const a = await httpAnswer(port, '/readyz');
      return a.status === 503 ? a : undefined;
    });
    assert.equal(restarting.body.trim(), 'restarting');
    assert.equal((await httpAnswer(port, '/healthz')).status, 200, 'still healthy');
    writeFileSync(gate, '');
    // The restarted node may still be booting (seconds on a loaded machine): a backstop only.
    await pollUntil(
      'readyz ok again',
      async () => (await httpAnswer(port, '/readyz')).status === 200,
      30_000,
    );
    const doc = JSON.parse((await httpAnswer(port, '/status')).body) as {
      processes: { restarts: number; ready: boolean }[];
    };
    assert.deepEqual(
      doc.processes.map((p) => [p.restarts, p.ready]),
      [[1, true]],
    );
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 0, t.output());
  });

  test('port in use: exit 71 TEEINIT_STATUS_LISTEN before anything is fetched or started', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const marker = join(ctx.work, 'busy-started');
    try {
      const { path, dir } = config('busy', `127.0.0.1:${port}`, [
        {
          name: 'app',
          run: [
            process.execPath,
            '-e',
            `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`,
          ],
        },
      ]);
      const t = runTeeinit(['run', '-c', path]);
      assert.equal(await t.exited(), 71, t.output());
      assert.match(t.stderr(), /TEEINIT_STATUS_LISTEN/);
      assert.match(
        t.output(),
        new RegExp(`status\\.listen: cannot listen on 127\\.0\\.0\\.1:${port}`),
      );
      assert.ok(!/secrets fetched|"message":"started"/.test(t.output()), t.output());
      assert.ok(!existsSync(marker), 'no process started');
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'no secret file written');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('a bad status.listen is a config error (78) naming the key', async () => {
    for (const listen of ['nope', 'unix:/tmp/teeinit-status.sock']) {
      const { path } = config('bad', listen, [{ name: 'app', run: ['true'] }]);
      const t = runTeeinit(['validate', '-c', path]);
      assert.equal(await t.exited(), 78, t.output());
      assert.match(t.stderr(), /status\.listen/);
    }
  });
});
