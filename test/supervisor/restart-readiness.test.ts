// Readiness after a restart: a process restarted by its policy or replaced by a refresh runs
// its `ready` check again in the background — `ready` is logged again (with `restart: N` or
// `after: "refresh"`), a check that runs out of time is a warning and the process keeps
// running, a stop during the check ends at once leaving nothing behind, and replace()
// resolves only once the new process is ready.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ReadyConfig } from '../../src/config/types.js';
import { launchSpec } from '../fixtures/launch-spec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { canConnect, freePort } from '../helpers/net.js';
import { pollUntil, withDeadline } from '../helpers/poll.js';
import { pidExists } from '../helpers/procfs.js';
import { readPid, supervisorHarness } from './helpers.js';

const { tmp, start } = supervisorHarness();

// argv: port, first delay, later delay (-1: never listen), marker. The first run (no marker
// yet) listens on 127.0.0.1:port after the first delay, every later run after the later one;
// each run writes its pid to the marker. SIGUSR2 makes it exit with 3 (a failure).
const SERVER = `
const fs = require('node:fs');
const [port, first, later, marker] = process.argv.slice(1);
const delay = Number(fs.existsSync(marker) ? later : first);
fs.writeFileSync(marker, String(process.pid));
process.on('SIGUSR2', () => process.exit(3));
const serve = () => require('node:net').createServer((s) => s.end()).listen(Number(port), '127.0.0.1');
if (delay >= 0) setTimeout(serve, delay); else setInterval(() => {}, 1 << 30);
`;

type Records = () => Record<string, unknown>[];

/**
 * A SERVER process named app, restarted on failure, with a tcp check on its port. A short
 * `ready.timeout` is meant for the restart: the first start has to meet it too, and booting
 * node alone can take longer than 500 ms on a loaded machine (CI saw TEEINIT_READY_TIMEOUT at
 * start-up). Such tests let the first run never listen (`first` -1) and answer its check with
 * `standIn`, or start with `relaxed(spec)`.
 */
async function server(
  file: string,
  later: number,
  ready: Partial<ReadyConfig> = {},
  first = 0,
): Promise<{ port: number; marker: string; spec: ReturnType<typeof launchSpec> }> {
  const port = await freePort();
  const marker = join(tmp.dir, file);
  const spec = launchSpec({
    name: 'app',
    argv: [process.execPath, '-e', SERVER, String(port), String(first), String(later), marker],
    restart: { policy: 'on-failure', backoff: 50 },
    ready: { timeout: 30_000, interval: 50, tcp: `127.0.0.1:${port}`, ...ready },
  });
  return { port, marker, spec };
}

/** The spec with a start-up-sized ready timeout, for a first start that is not under test. */
function relaxed(spec: ReturnType<typeof launchSpec>): ReturnType<typeof launchSpec> {
  const { ready } = spec.config;
  assert.ok(ready !== undefined);
  return { ...spec, config: { ...spec.config, ready: { ...ready, timeout: 30_000 } } };
}

/** The test's own listener on `port`, answering the first run's check in its place. */
async function standIn(port: number): Promise<{ close: () => Promise<void> }> {
  const stand = createServer((s) => s.end());
  await new Promise<void>((resolve) => stand.listen(port, '127.0.0.1', resolve));
  return {
    close: () => new Promise<void>((resolve) => stand.close(() => resolve())),
  };
}

const find = (records: Records, message: string, fields: Record<string, unknown> = {}) =>
  records().find(
    (l) => l.message === message && Object.entries(fields).every(([k, v]) => l[k] === v),
  );

function count(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

describe('supervisor: readiness after a restart', { timeout: 90_000 }, () => {
  test('restart-ready-again: a restarted process logs ready with its attempt once its port accepts', async () => {
    const { port, marker, spec } = await server('again.pid', 400);
    const { logger, records } = captureLogger();
    const sup = start([spec], { logger });
    await sup.started;
    const pid1 = await pollUntil('first pid', () => readPid(marker));
    assert.equal(sup.signal('app', 'SIGUSR2'), true);
    const again = await pollUntil(
      'ready after restart',
      () => find(records, 'ready', { process: 'app', restart: 1 }),
      20_000,
    );
    // The new process listens 400 ms after it boots: the check really waited for it.
    assert.ok(Number(again.ms) >= 400, `ready after ${String(again.ms)} ms`);
    assert.equal(await canConnect(port), true);
    const pid2 = readPid(marker);
    assert.notEqual(pid2, pid1);
    const order = records()
      .filter(
        (l) =>
          l.process === 'app' && ['started', 'restarting', 'ready'].includes(String(l.message)),
      )
      .map((l) => (l.restart === undefined ? l.message : [l.message, l.restart]));
    assert.deepEqual(order, ['started', 'ready', 'restarting', 'started', ['ready', 1]]);
    assert.equal(find(records, 'restarting')?.attempt, 1);
    await sup.stop('test');
  });

  test('restart-ready-timeout: a check that never passes is a warning; the process keeps running', async () => {
    const { port, marker, spec } = await server('never.pid', -1, { timeout: 500 }, -1);
    const stand = await standIn(port);
    const { logger, records } = captureLogger();
    const sup = start([spec], { logger });
    let ended = false;
    void sup.done.then(() => (ended = true));
    await sup.started;
    await stand.close(); // from here on, only a restarted SERVER could answer
    const pid1 = await pollUntil('first pid', () => readPid(marker));
    const t0 = Date.now();
    sup.signal('app', 'SIGUSR2');
    const warning = await pollUntil(
      'not-ready warning',
      () => find(records, 'process not ready after restart'),
      20_000,
    );
    assert.ok(Date.now() - t0 >= 500, 'warned before the timeout');
    assert.equal(warning.severity, 'WARNING');
    assert.equal(warning.process, 'app');
    assert.equal(warning.restart, 1);
    assert.equal(warning.probe, `tcp 127.0.0.1:${port}`);
    assert.equal(warning.timeoutMs, 500);
    const pid2 = await pollUntil('second pid', () => readPid(marker) !== pid1 && readPid(marker));
    assert.equal(pidExists(pid2), true, 'the restarted process was left running');
    assert.equal(ended, false, 'the run went on');
    assert.equal(find(records, 'ready', { restart: 1 }), undefined);
    assert.equal(await canConnect(port), false);
    await sup.stop('test');
    assert.equal(pidExists(pid2), false);
  });

  test('restart-ready-stop: stop during the check ends at once, nothing left behind', async () => {
    const timers = count('Timeout');
    const sockets = count('TCPSocketWrap');
    const { marker, spec } = await server('stop.pid', -1, { timeout: 60_000 });
    const { logger, records } = captureLogger();
    const sup = start([spec], { logger });
    await sup.started;
    const pid1 = await pollUntil('first pid', () => readPid(marker));
    sup.signal('app', 'SIGUSR2');
    await pollUntil('restarted', () => readPid(marker) !== pid1 && readPid(marker));
    await pollUntil(
      'checking again',
      () => records().filter((l) => l.message === 'started').length === 2,
    );
    const t0 = Date.now();
    const outcome = await withDeadline(sup.stop('test'), 5000, 'stop');
    assert.ok(Date.now() - t0 < 3000, `stop took ${Date.now() - t0} ms`);
    assert.equal(outcome.reason, 'stopped');
    assert.equal(find(records, 'process not ready after restart'), undefined);
    assert.equal(find(records, 'ready', { restart: 1 }), undefined);
    assert.equal(records().at(-1)?.message, 'supervisor done');
    assert.equal(count('Timeout'), timers);
    assert.equal(count('TCPSocketWrap'), sockets);
  });
});

describe('supervisor: replace() waits for readiness', { timeout: 120_000 }, () => {
  test('replace-ready: replace() resolves only once the new process accepts', async () => {
    const { port, marker, spec } = await server('replace.pid', 500);
    const { logger, records } = captureLogger();
    const sup = start([spec], { logger });
    await sup.started;
    const pid1 = await pollUntil('first pid', () => readPid(marker));
    const t0 = Date.now();
    assert.equal(await sup.replace('app', spec), true);
    const ready = find(records, 'ready', { after: 'refresh' });
    assert.ok(ready, 'ready logged before replace() resolved');
    assert.ok(Number(ready.ms) >= 500, `ready after ${String(ready.ms)} ms`);
    assert.ok(Date.now() - t0 >= 500);
    assert.equal(await canConnect(port), true);
    assert.notEqual(readPid(marker), pid1);
    assert.equal(pidExists(pid1), false);
    await sup.stop('test');
  });

  test('replace-ready-timeout: a replacement that never gets ready resolves after its timeout', async () => {
    const { marker, spec } = await server('replace-never.pid', -1, { timeout: 500 });
    const { logger, records } = captureLogger();
    const sup = start([relaxed(spec)], { logger });
    await sup.started;
    const pid1 = await pollUntil('first pid', () => readPid(marker));
    const t0 = Date.now();
    assert.equal(await sup.replace('app', spec), true);
    assert.ok(Date.now() - t0 >= 500);
    const warning = find(records, 'process not ready after restart', { after: 'refresh' });
    assert.ok(warning, 'warned before replace() resolved');
    // The replacement writes its pid once node has booted, which on a loaded machine can be
    // after the 500 ms timeout: until then the marker still names the first, stopped process.
    const pid2 = await pollUntil(
      'replacement pid',
      () => readPid(marker) !== pid1 && readPid(marker),
    );
    assert.equal(pidExists(pid2), true, 'the replacement was left running');
    await sup.stop('test');
  });

  test("replace-ready-stop: stop during a replacement's command check ends at once", async () => {
    const timers = count('Timeout');
    const children = count('ProcessWrap');
    const { marker, spec } = await server('replace-stop.pid', -1);
    // The replacement is checked by a command that hangs: the stop must kill it.
    const hang = [process.execPath, '-e', 'setTimeout(() => {}, 60000)'];
    const ready = { timeout: 60_000, interval: 50, command: hang };
    const next = { ...spec, config: { ...spec.config, ready } };
    const { logger, records } = captureLogger();
    const sup = start([spec], { logger });
    await sup.started;
    const pid1 = await pollUntil('first pid', () => readPid(marker));
    const replaced = sup.replace('app', next);
    await pollUntil('replaced', () => readPid(marker) !== pid1 && readPid(marker));
    const t0 = Date.now();
    const outcome = await withDeadline(sup.stop('test'), 5000, 'stop');
    assert.ok(Date.now() - t0 < 3000, `stop took ${Date.now() - t0} ms`);
    assert.equal(outcome.reason, 'stopped');
    assert.equal(await withDeadline(replaced, 2000, 'replace'), false, 'no longer running');
    assert.equal(find(records, 'ready', { after: 'refresh' }), undefined);
    assert.equal(count('Timeout'), timers);
    // An exited child's handle closes on the next turn of the event loop; a hanging check
    // (60 s) still running would keep it far longer.
    await pollUntil('no child left', () => count('ProcessWrap') <= children, 2000);
  });

  test("replace-ready-abort: the caller's signal ends the wait; the check goes on and logs", async () => {
    const { port, marker, spec } = await server('replace-abort.pid', 1500);
    const { logger, records } = captureLogger();
    const sup = start([spec], { logger });
    await sup.started;
    const pid1 = await pollUntil('first pid', () => readPid(marker));
    const caller = new AbortController();
    const replaced = sup.replace('app', spec, caller.signal);
    await pollUntil('replaced', () => readPid(marker) !== pid1 && readPid(marker));
    caller.abort();
    assert.equal(await withDeadline(replaced, 1000, 'replace after abort'), true);
    assert.equal(find(records, 'ready', { after: 'refresh' }), undefined, 'not ready yet');
    await pollUntil('ready in the background', () => find(records, 'ready', { after: 'refresh' }));
    assert.equal(await canConnect(port), true);
    await sup.stop('test');
  });
});
