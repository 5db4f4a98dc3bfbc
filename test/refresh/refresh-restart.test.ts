// `teeinit run` with `refresh:` and `onRefresh: restart` against the emulator: a process
// that receives a rotating secret as `{{ value }}` in its environment is replaced by a new
// process (new pid, old one gone) that sees the new value, and `secrets refreshed` is
// logged only after the replacement's ready probe passed; the same config with
// `onRefresh: none`, or with a stopTimeout not below refresh.deadline, is refused by
// `teeinit validate`. No secret value in any output.
import { afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNoSecrets, assertNoSecretsInFiles } from '../helpers/leak-scan.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { logLines, runTeeinit, type TeeinitProcess } from '../helpers/teeinit-process.js';
import { pidExists } from '../helpers/procfs.js';
import { useRunWorld } from '../run/run-world.js';
import { worldConfig, writeConfig } from '../run/world-config.js';
import { seedValueSecret } from './rotation.js';
import { allowNonTmpfs } from '../helpers/temp.js';

// Listens on argv[1] after a short delay; first appends "pid sha256(API_TOKEN)" to argv[2]
// (a hash, never the value), so a passed ready probe implies the line is there.
const APP = `
const { createHash } = require('node:crypto');
const [port, out] = process.argv.slice(1);
const hash = createHash('sha256').update(process.env.API_TOKEN ?? '').digest('hex');
setTimeout(() => {
  require('node:fs').appendFileSync(out, process.pid + ' ' + hash + '\\n');
  require('node:net').createServer((s) => s.end()).listen(Number(port), '127.0.0.1');
}, 700);
`;

const TOKEN = 'api-token';
const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** The exit code docs/errors.md gives `code` (repo root is three levels above dist/test/refresh). */
function documentedExitCode(code: string): number {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)));
  const row = new RegExp(`^\\| \\[\`${code}\`\\]\\(#[a-z_]+\\) \\| (\\d+) \\|`, 'm').exec(
    doc.toString('utf8'),
  );
  assert.ok(row?.[1] !== undefined, `${code} is listed in docs/errors.md`);
  return Number(row[1]);
}

describe('refresh: onRefresh restart', { timeout: 240_000 }, () => {
  const ctx = useRunWorld('teeinit-refresh-restart');
  const values = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')] as const;
  let t: TeeinitProcess | undefined;

  // Runs after useRunWorld's before hook (hooks run in the order they are registered).
  before(() => seedValueSecret(ctx.world, TOKEN, [values[0]], 1));
  afterEach(async () => {
    // SIGTERM, not SIGKILL: teeinit stops its child (an orphan would hold the output pipes).
    t?.kill('SIGTERM');
    await t?.exited().catch(() => undefined);
    t = undefined;
  });

  /** A config whose process `app` gets the token in its env, with the given onRefresh. */
  async function appConfig(
    name: string,
    onRefresh: unknown,
    more: { stopTimeout?: string; deadline?: string } = {},
  ): Promise<{ path: string; dir: string; port: number; hashes: string }> {
    const dir = join(ctx.secrets.path, name);
    const port = await freePort();
    const hashes = join(ctx.work, `${name}-hashes.txt`);
    const config = worldConfig(
      ctx.world,
      dir,
      [
        {
          name: 'app',
          run: [process.execPath, '-e', APP, String(port), hashes],
          env: { API_TOKEN: `{{ value ${TOKEN} }}` },
          allowValue: true,
          ready: { tcp: `127.0.0.1:${port}`, timeout: '20s', interval: '50ms' },
          onRefresh,
          ...(more.stopTimeout === undefined ? {} : { stopTimeout: more.stopTimeout }),
        },
      ],
      {
        refresh: {
          interval: '1s',
          jitter: 0,
          retry: { backoff: '200ms', maxBackoff: '1s' },
          ...(more.deadline === undefined ? {} : { deadline: more.deadline }),
        },
      },
    );
    (config.secrets as Record<string, unknown>)[TOKEN] = {
      from: 'alice',
      ref: `projects/alice-proj/secrets/${TOKEN}/versions/current`,
    };
    allowNonTmpfs(config, ctx.secrets);
    return { path: writeConfig(ctx.work, config), dir, port, hashes };
  }

  /** pid → hash, from the lines the app processes appended. */
  const readHashes = (file: string): Map<number, string> =>
    new Map(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [pid, hash] = l.split(' ');
          return [Number(pid), String(hash)];
        }),
    );

  test(
    'refresh-restart-env-value: new pid with the new value, ready before refreshed',
    { timeout: 90_000 },
    async () => {
      const { path, dir, hashes } = await appConfig('restart', 'restart');
      const run = (t = runTeeinit(['run', '-c', path]));
      await run.waitFor(/"message":"running"/, 30_000);
      assert.ok(
        logLines(run.stderr()).some((l) =>
          /process "app" receives secret values in argv\/env/.test(String(l.message)),
        ),
        'a value in env is warned about',
      );
      const started = (): number[] =>
        logLines(run.stdout())
          .filter((l) => l.message === 'started' && l.process === 'app')
          .map((l) => Number(l.pid));
      const [oldPid] = started();
      assert.ok(oldPid !== undefined && pidExists(oldPid), 'the first app process runs');
      assert.equal(readHashes(hashes).get(oldPid), sha256(values[0]));

      seedValueSecret(ctx.world, TOKEN, values, 2); // new version, alias `current` moved to it
      await run.waitFor(/"message":"secrets refreshed"/, 30_000);
      const lines = logLines(run.stdout());
      const refreshedAt = lines.findIndex((l) => l.message === 'secrets refreshed');
      const refreshed = lines[refreshedAt];
      assert.deepEqual(refreshed?.changed, [TOKEN]);
      assert.deepEqual(refreshed?.processes, ['app:restart']);

      const newPid = started()[1];
      assert.ok(newPid !== undefined && newPid !== oldPid, `a new pid (old ${oldPid})`);
      const startedAt = lines.findIndex((l) => l.message === 'started' && l.pid === newPid);
      const readyAt = lines.findIndex(
        (l) => l.message === 'ready' && l.process === 'app' && l.after === 'refresh',
      );
      assert.ok(startedAt >= 0 && readyAt > startedAt, 'ready (after: refresh) follows the start');
      assert.ok(readyAt < refreshedAt, 'ready (after: refresh) comes before secrets refreshed');
      assert.ok(
        lines.some((l) => l.message === 'exited' && l.pid === oldPid),
        'the old process exited',
      );
      await pollUntil('the old process to be gone', () => !pidExists(oldPid), 10_000);
      assert.ok(pidExists(newPid), 'the new process runs');
      const seen = readHashes(hashes);
      assert.equal(seen.get(newPid), sha256(values[1]), 'the new process saw the new value');
      assert.equal(seen.get(oldPid), sha256(values[0]));
      assert.equal(seen.size, 2);

      // Unchanged cycles after the rotation say so and do not restart again.
      const mark = run.stdout().length;
      await pollUntil(
        'a later unchanged cycle',
        () => run.stdout().slice(mark).includes('"message":"secrets unchanged"'),
        20_000,
      );
      assert.equal(started().length, 2, 'no further restart');
      assert.equal(run.child.exitCode, null, 'teeinit still running');

      run.kill('SIGTERM');
      assert.equal(await run.exited(), 143, run.output());
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'secrets directory emptied');
      await pollUntil('the new process to be gone', () => !pidExists(newPid), 10_000);
      const all = [...ctx.secretValues, ...values];
      assertNoSecrets(run.output(), all, 'teeinit output');
      assertNoSecretsInFiles([hashes, path], all);
    },
  );

  test(
    'refresh-restart-refused: {{ value }} in env with onRefresh none fails validate',
    { timeout: 30_000 },
    async () => {
      const { path, dir } = await appConfig('refused', 'none');
      const run = (t = runTeeinit(['validate', '-c', path]));
      const code = await run.exited();
      assert.equal(code, documentedExitCode('TEEINIT_REFRESH_NEEDS_RESTART'), run.output());
      assert.match(run.stderr(), /^teeinit: TEEINIT_REFRESH_NEEDS_RESTART: /m);
      const error = logLines(run.stderr()).find((l) => l.code === 'TEEINIT_REFRESH_NEEDS_RESTART');
      // Key paths only: the secret by its key path, the process by its index, not its name.
      assert.match(
        String(error?.message),
        /^processes\[0\]\.onRefresh: the process receives secrets\.api-token as \{\{ value \}\}/,
      );
      assert.doesNotMatch(run.stderr(), /"app"/);
      assert.equal(error?.process, undefined);
      assert.equal(error?.secrets, TOKEN);
      assert.equal(error?.path, 'processes[0].onRefresh');
      assert.doesNotMatch(run.stdout(), /config OK/);
      assert.ok(!existsSync(dir), 'validate wrote nothing');
      assertNoSecrets(run.output(), [...ctx.secretValues, ...values], 'validate output');
    },
  );

  test(
    'refresh-restart-stop-timeout: stopTimeout not below refresh.deadline fails validate',
    { timeout: 30_000 },
    async () => {
      const { path, dir } = await appConfig('slow-stop', 'restart', {
        stopTimeout: '30s',
        deadline: '20s',
      });
      const run = (t = runTeeinit(['validate', '-c', path]));
      const code = await run.exited();
      assert.equal(code, 78, run.output());
      assert.equal(code, documentedExitCode('TEEINIT_REFRESH_STOP_TIMEOUT'));
      assert.match(run.stderr(), /^teeinit: TEEINIT_REFRESH_STOP_TIMEOUT: /m);
      const error = logLines(run.stderr()).find((l) => l.code === 'TEEINIT_REFRESH_STOP_TIMEOUT');
      assert.match(
        String(error?.message),
        /^processes\[0\]\.stopTimeout: the process has onRefresh: restart and a stopTimeout not less than refresh\.deadline/,
      );
      // Key paths only: neither the process's name nor the durations (values of the file).
      assert.doesNotMatch(run.stderr(), /"app"|30000|20000|30s|20s/);
      assert.equal(error?.path, 'processes[0].stopTimeout');
      assert.match(run.stderr(), /refresh\.deadline/);
      assert.doesNotMatch(run.stdout(), /config OK/);
      assert.ok(!existsSync(dir), 'validate wrote nothing');

      // Below the deadline, the same config is fine.
      const ok = await appConfig('fast-stop', 'restart', { stopTimeout: '5s', deadline: '20s' });
      const valid = (t = runTeeinit(['validate', '-c', ok.path]));
      assert.equal(await valid.exited(), 0, valid.output());
    },
  );
});
