// `teeinit run` with a 2-of-3 threshold key against the emulator: shares from
// `teeinit shares split`, stored as alice's, bob's and carol's secrets, feed a psk-server
// proxy, and a client holding the key derived with docs/psk.md's recipe is admitted. With one
// collaborator's share missing (not found, denied and still in the permission grace, from
// another split, malformed) teeinit starts all the same and a WARNING names it; with two
// missing, nothing starts and nothing is left. validate and plan show the key as 2 of 3.
// No share, secret or key in any output.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { canConnect, freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { logLines, runTeeinit, type TeeinitProcess } from '../helpers/teeinit-process.js';
import { runCli } from '../cli/cli-helpers.js';
import { useRunWorld } from './run-world.js';
import {
  addCarol,
  pskEcho,
  seedThresholdShares,
  thresholdConfig,
  type ThresholdShares,
  type Who,
} from './threshold-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

// An echo server on argv[1]; it creates argv[2] when it starts (the "something started" mark).
const ECHO = `
require('node:fs').writeFileSync(process.argv[2], '');
require('node:net').createServer((s) => s.pipe(s)).listen(Number(process.argv[1]), '127.0.0.1');
`;

describe('run: threshold keys (2 of 3)', { timeout: 300_000 }, () => {
  const ctx = useRunWorld('teeinit-threshold');
  let shares: ThresholdShares | undefined;
  const outputs: string[] = [];

  const setup = async (): Promise<ThresholdShares> => {
    if (shares === undefined) {
      addCarol(ctx.world);
      shares = await seedThresholdShares(ctx.world, join(ctx.work, 'ceremony'));
    }
    return shares;
  };

  /** A config with the threshold key behind a psk-server proxy in front of the echo. */
  async function configFor(
    name: string,
    refs: Partial<Record<Who, string>> = {},
    extra: Record<string, unknown> = {},
    echo: { args?: string[]; onRefresh?: string } = {},
  ): Promise<{ path: string; dir: string; marker: string; proxyPort: number }> {
    await setup();
    const dir = join(ctx.secrets.path, name);
    const marker = join(ctx.work, `${name}.started`);
    const [backend, proxyPort] = [await freePort(), await freePort()];
    const t = thresholdConfig(ctx.world, refs);
    const config = worldConfig(
      ctx.world,
      dir,
      [
        {
          name: 'echo',
          run: [process.execPath, '-e', ECHO, String(backend), marker, ...(echo.args ?? [])],
          ready: { tcp: `127.0.0.1:${backend}` },
          ...(echo.onRefresh === undefined ? {} : { onRefresh: echo.onRefresh }),
        },
      ],
      {
        collaborators: t.collaborators,
        secrets: t.secrets,
        keys: { ...(ctx.world.configBase.keys as object), 'quorum-psk': t.key },
        proxies: [
          {
            name: 'ingress',
            mode: 'psk-server',
            listen: `127.0.0.1:${proxyPort}`,
            target: `127.0.0.1:${backend}`,
            psk: 'quorum-psk',
            identity: 'client',
            start: 'after-processes',
          },
        ],
        ...extra,
      },
    ) as Record<string, any>;
    allowNonTmpfs(config, ctx.secrets);
    const work = join(ctx.work, name);
    mkdirSync(work, { recursive: true });
    return { path: writeConfig(work, config), dir, marker, proxyPort };
  }

  const started = (args: string[]): TeeinitProcess => runTeeinit(args);
  /** SIGTERM; the echo dies of it, so teeinit exits 143 (128 + SIGTERM), files removed. */
  const finish = async (t: TeeinitProcess, dir: string): Promise<void> => {
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 143, t.output());
    outputs.push(t.output());
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'secret files removed');
  };
  const warnings = (t: TeeinitProcess, message: string): Record<string, unknown>[] =>
    logLines(t.output()).filter((l) => l.severity === 'WARNING' && l.message === message);

  test('all three shares: a client with the key from the documented recipe is admitted', async () => {
    const s = await setup();
    const c = await configFor('all');
    const t = started(['run', '-c', c.path]);
    await t.waitFor(/"message":"running"/);
    assert.equal(await pskEcho(c.proxyPort, 'client', s.psk, 'hello 2 of 3'), 'hello 2 of 3');
    await assert.rejects(pskEcho(c.proxyPort, 'client', randomBytes(32), 'wrong key'));
    assert.deepEqual(
      warnings(t, 'threshold share unavailable; the key may still be made from the others'),
      [],
    );
    await finish(t, c.dir);
  });

  // [what, carol's secret/version, the WARNING, its code]
  const oneMissing: [string, string, string, string][] = [
    [
      'not found',
      'carol-q/versions/9',
      'threshold share unavailable; the key may still be made from the others',
      'TEEINIT_SECRET_NOT_FOUND',
    ],
    [
      'from another split',
      'carol-q/versions/2',
      'threshold share refused; the key is made from the others',
      'TEEINIT_SHARES_INCONSISTENT',
    ],
    [
      'a plain share, not a threshold share',
      'carol-q/versions/3',
      'threshold share refused; the key may still be made from the others',
      'TEEINIT_SHARE_INVALID',
    ],
  ];
  for (const [what, ref, message, code] of oneMissing) {
    test(`carol's share ${what}: starts with the others, a WARNING names carol`, async () => {
      const s = await setup();
      const c = await configFor(`one-${code}`, { carol: ref });
      const t = started(['run', '-c', c.path]);
      await t.waitFor(/"message":"running"/);
      const [line, ...more] = warnings(t, message);
      assert.ok(line, t.output());
      assert.equal(more.length, 0);
      assert.equal(line.collaborator, 'carol');
      assert.equal(line.secret, 'carol-q');
      assert.equal(line.key, 'quorum-psk');
      assert.equal(line.code, code);
      assert.equal(await pskEcho(c.proxyPort, 'client', s.psk, `hello ${code}`), `hello ${code}`);
      await finish(t, c.dir);
    });
  }

  test("carol's share denied (in the 10-minute permission grace): start-up does not wait for it", async () => {
    const s = await setup();
    // The default fetch.permissionGrace (10 minutes): start-up must not wait for it.
    const c = await configFor('denied', { carol: 'carol-q-denied/versions/1' });
    const t = started(['run', '-c', c.path]);
    // Within the 45 s backstop of waitFor, far below the grace.
    await t.waitFor(/"message":"running"/);
    const [grace] = warnings(t, 'permission denied; retrying while the IAM grant propagates');
    assert.equal(grace?.secret, 'carol-q');
    const [line] = warnings(t, 'threshold key has enough shares; not waiting for the others');
    assert.ok(line, t.output());
    assert.equal(line.key, 'quorum-psk');
    assert.equal(line.notWaitedFor, 'carol-q');
    assert.equal(line.collaborators, 'carol');
    assert.equal(line.used, 'alice-q,bob-q');
    assert.equal(await pskEcho(c.proxyPort, 'client', s.psk, 'hello grace'), 'hello grace');
    await finish(t, c.dir);
  });

  test('two shares missing: TEEINIT_THRESHOLD_NOT_MET names both, nothing started, nothing left', async () => {
    const c = await configFor(
      'two-missing',
      { bob: 'bob-q/versions/9', carol: 'carol-q-denied/versions/1' },
      // carol's refusal is taken for IAM propagation for 1 s, then counts.
      {
        fetch: {
          startupDeadline: '20s',
          initialBackoff: '50ms',
          maxBackoff: '200ms',
          permissionGrace: '1s',
        },
      },
    );
    const t = started(['run', '-c', c.path]);
    const code = await t.exited();
    outputs.push(t.output());
    assert.equal(code, 69, t.output());
    const line = t
      .stderr()
      .split('\n')
      .find((l) => l.startsWith('teeinit: '));
    assert.match(
      line ?? '',
      /^teeinit: TEEINIT_THRESHOLD_NOT_MET: Key "quorum-psk" needs 2 of its 3 shares/,
    );
    assert.match(line ?? '', /share "bob-q" \(collaborator bob\): TEEINIT_SECRET_NOT_FOUND/);
    assert.match(line ?? '', /share "carol-q" \(collaborator carol\): TEEINIT_PERMISSION_DENIED/);
    assert.ok(!existsSync(c.marker), 'the process never started');
    assert.ok(!existsSync(c.dir) || readdirSync(c.dir).length === 0, 'no secret file left');
    assert.equal(await canConnect(c.proxyPort), false, 'no proxy port open');
  });

  test('refresh: one share gone changes nothing; two gone fail the cycle, the old key serves on', async () => {
    const s = await setup();
    const c = await configFor(
      'refresh',
      {},
      {
        refresh: { interval: '1s', jitter: 0, retry: { backoff: '200ms', maxBackoff: '1s' } },
      },
      // The echo is given the key's file and restarted on a refresh that changes it.
      { args: ['{{ file quorum-psk }}'], onRefresh: 'restart' },
    );
    const t = started(['run', '-c', c.path]);
    await t.waitFor(/"message":"running"/);
    const lines = (): Record<string, unknown>[] => logLines(t.output());
    // INFO lines go to stdout, WARNING and ERROR to stderr, and t.output() is the one
    // after the other: a line's index says nothing about its order against the other
    // stream. Each line's own time does: waitSince returns the first line logged at or
    // after `since` (ms, this machine's clock) that passes `test`.
    const timeOf = (l: Record<string, unknown>): number => Date.parse(String(l.time));
    const waitSince = (
      since: number,
      what: string,
      test: (l: Record<string, unknown>) => boolean,
    ): Promise<Record<string, unknown>> =>
      pollUntil(what, () => lines().find((l) => timeOf(l) >= since && test(l)) ?? false, 30_000);
    const unchanged = (l: Record<string, unknown>): boolean => l.message === 'secrets unchanged';
    const faults = ctx.world.emulator.faults;
    try {
      // carol's share gone: the cycle warns about it and succeeds with the same key.
      const carolGone = Date.now();
      for (const r of parseFaultRules([
        { route: 'secretmanager.access', match: 'secrets/carol-q', error: { status: 404 } },
      ]))
        faults.add(r);
      const gone = await waitSince(
        carolGone,
        'a refresh warning about carol',
        (l) =>
          l.message === 'threshold share unavailable; the key may still be made from the others' &&
          l.collaborator === 'carol',
      );
      await waitSince(timeOf(gone), 'a refresh with 2 of 3', unchanged);
      // bob's too: fewer than 2, the cycle fails and the previous material stays.
      const bobGone = Date.now();
      for (const r of parseFaultRules([
        { route: 'secretmanager.access', match: 'secrets/bob-q', error: { status: 404 } },
      ]))
        faults.add(r);
      const line = await waitSince(
        bobGone,
        'a failed refresh',
        (l) => l.message === 'secret refresh failed; keeping the previous secrets',
      );
      assert.equal(line.code, 'TEEINIT_THRESHOLD_NOT_MET');
      assert.equal(line.key, 'quorum-psk');
      assert.equal(line.collaborators, 'bob,carol');
      assert.equal(await pskEcho(c.proxyPort, 'client', s.psk, 'still served'), 'still served');
      // Both back: the next cycle succeeds, again with the same key.
      faults.clear();
      await waitSince(Date.now(), 'a refresh with 3 of 3', unchanged);
      assert.equal(await pskEcho(c.proxyPort, 'client', s.psk, 'served again'), 'served again');
      // The key never changed: no refresh acted, no file rewritten, the echo never restarted.
      assert.equal(lines().filter((l) => l.message === 'secrets refreshed').length, 0);
      assert.equal(lines().filter((l) => l.message === 'secret file rewritten').length, 0);
      assert.equal(
        lines().filter((l) => l.message === 'started' && l.process === 'echo').length,
        1,
      );
    } finally {
      faults.clear();
    }
    await finish(t, c.dir);
  });

  test('validate and plan show the key as any 2 of 3, whose shares, no value', async () => {
    const c = await configFor('show');
    const v = await runCli(['validate', '-c', c.path]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(
      v.stdout,
      /^threshold key quorum-psk: any 2 of 3 shares: alice-q \(alice\), bob-q \(bob\), carol-q \(carol\)$/m,
    );
    const p = await runCli(['plan', '-c', c.path]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(
      p.stdout,
      /^ {2}quorum-psk = hkdf-sha256\(any 2 of 3: alice-q@alice, bob-q@bob, carol-q@carol\)$/m,
    );
    assert.match(p.stdout, /^ {2}session-psk = hkdf-sha256\(alice-share@alice, bob-share@bob\)$/m);
    const j = await runCli(['plan', '-c', c.path, '--json']);
    const keys = (JSON.parse(j.stdout) as { keys: { name: string; threshold?: number }[] }).keys;
    assert.equal(keys.find((k) => k.name === 'quorum-psk')?.threshold, 2);
    assert.equal(keys.find((k) => k.name === 'session-psk')?.threshold, undefined);
    outputs.push(v.stdout, v.stderr, p.stdout, p.stderr, j.stdout, j.stderr);
  });

  test('no share, secret or key in any output', async () => {
    const s = await setup();
    assert.ok(outputs.length >= 6);
    assertNoSecrets(outputs, [...s.values, ...ctx.secretValues], 'teeinit output');
  });
});
