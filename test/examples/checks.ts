// Assertions shared by the example end-to-end tests: wait until an example serves (failing
// fast with teeinit's output when it exits instead) and until it logs "running", the backend
// processes teeinit started, and shutdown on SIGTERM (backends gone, secrets directory emptied).
import assert from 'node:assert/strict';
import { httpGet } from '../helpers/http-get.js';
import { canConnect } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { childPids, commandLine, isAlive } from '../helpers/procfs.js';
import { listDir, stopTeeinit, type TeeinitRun } from './harness.js';

/** Polls `check` until it holds; if teeinit exits first, fails with its output. */
export async function waitServing<T>(
  run: TeeinitRun,
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 45_000,
): Promise<T> {
  return pollUntil(
    what,
    async () => {
      if (run.child.exitCode !== null || run.child.signalCode !== null) {
        throw new Error(
          `teeinit exited (${run.child.exitCode ?? run.child.signalCode}) before ${what}:\n${run.output()}`,
        );
      }
      return check();
    },
    timeoutMs,
  );
}

/** Waits until 127.0.0.1:port accepts connections while teeinit runs. */
export function waitPort(run: TeeinitRun, port: number, timeoutMs?: number): Promise<boolean> {
  return waitServing(
    run,
    `127.0.0.1:${port} to accept connections`,
    () => canConnect(port),
    timeoutMs,
  );
}

/**
 * Waits for teeinit's "running" log line: every ready probe passed. A port that accepts is
 * not proof of readiness (postgres accepts TCP while "the database system is starting up").
 */
export function waitRunning(run: TeeinitRun, timeoutMs?: number): Promise<boolean> {
  return waitServing(
    run,
    'teeinit to log "running"',
    () => /"message":"running"/.test(run.output()),
    timeoutMs,
  );
}

/**
 * The shipped status endpoint answers what a load balancer's HTTP health check asks:
 * `/readyz` 200 once teeinit runs (the image EXPOSEs its port; docs/scale-out.md).
 */
export async function expectReadyz(statusPort: number): Promise<void> {
  const answer = await httpGet(statusPort, '/readyz');
  assert.notEqual(answer, 'refused', `nothing listens on the status port ${statusPort}`);
  if (answer === 'refused') return;
  assert.equal(answer.status, 200, answer.body);
  assert.equal(answer.body.trim(), 'ok');
}

/** teeinit's direct children whose command line contains `needle` (at least one). */
export async function backendPids(run: TeeinitRun, needle: string): Promise<number[]> {
  return waitServing(run, `a child process running ${needle}`, () => {
    const pids = childPids(run.pid).filter((p) => commandLine(p)?.includes(needle));
    return pids.length > 0 ? pids : undefined;
  });
}

/**
 * Once teeinit has finished start-up, SIGTERM to it, then: it exits with `expectedCode`, every backend pid is gone and the
 * secrets directory is empty. `writesFiles: false` for configs that keep keys in memory.
 */
export async function expectCleanShutdown(
  run: TeeinitRun,
  backends: readonly number[],
  secretsDir: string,
  expectedCode: number | readonly number[],
  writesFiles = true,
): Promise<number> {
  if (writesFiles) assert.ok(listDir(secretsDir).length > 0, 'secrets directory populated');
  // A port that answers is not the end of start-up (ready probes poll on their own interval):
  // SIGTERM before "running" is a cancelled start-up (143), not the shutdown under test.
  await waitRunning(run);
  const code = await stopTeeinit(run);
  const allowed = typeof expectedCode === 'number' ? [expectedCode] : expectedCode;
  assert.ok(
    allowed.includes(code),
    `teeinit exit code ${code}, expected ${allowed.join(' or ')}\n${run.output()}`,
  );
  for (const pid of backends) {
    await pollUntil(`backend pid ${pid} to be gone`, () => !isAlive(pid), 5_000);
  }
  assert.deepEqual(listDir(secretsDir), [], 'secrets directory emptied on exit');
  return code;
}

/** teeinit's JSON log records in the order it wrote them (other output lines skipped). */
export function logRecords(run: TeeinitRun): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of run.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a child's output line that only looks like JSON
    }
  }
  return records;
}
