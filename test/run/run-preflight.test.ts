// Spawn-time checks come first: a process that cannot be spawned (binary missing from its
// PATH, unknown user, missing cwd, a binary its user cannot reach) or a file owner that does
// not exist stops start-up before the status endpoint or a `before-processes` proxy opens a
// port and before anything is fetched. The test holds both ports itself: had teeinit tried
// to open either, it would have failed with TEEINIT_STATUS_LISTEN or TEEINIT_PROXY_LISTEN
// instead. A latency-only fault rule on every emulator route counts the requests it sees.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { ERROR_CODES, type ErrorCode } from '../../src/errors/index.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { freePort } from '../helpers/net.js';
import { FIXTURES, runTeeinit } from '../helpers/teeinit-process.js';
import { allowNonTmpfs, removeDir, tempDir } from '../helpers/temp.js';
import { useRunWorld } from './run-world.js';
import { ingressProxy, worldConfig, writeConfig } from './world-config.js';

const PROBE_TIMES = 1_000_000;
const root = process.getuid?.() === 0;

interface Case {
  readonly name: string;
  readonly code: ErrorCode;
  /** Changes the one process (and may add files) before the config is written. */
  readonly change: (process: Record<string, any>, config: Record<string, any>) => void;
  /** The line must name the key to fix and the process. */
  readonly mention: RegExp;
  readonly skip?: string | false;
}

// A directory only its owner may enter, holding an executable: nobody cannot run it.
const hidden = tempDir('teeinit-preflight-hidden-').dir;
chmodSync(hidden, 0o700);
writeFileSync(join(hidden, 'app'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
after(() => removeDir(hidden));

const CASES: Case[] = [
  {
    name: 'binary-missing',
    code: 'TEEINIT_SPAWN_NOT_FOUND',
    change: (p) => (p.run[0] = 'teeinit-no-such-binary'),
    mention: /processes\[0\]\.run\[0\]: process "app": command "teeinit-no-such-binary"/,
  },
  {
    name: 'binary-missing-from-its-own-path',
    code: 'TEEINIT_SPAWN_NOT_FOUND',
    change: (p) => {
      p.run[0] = 'node';
      p.env = { PATH: '/nonexistent-bin' };
    },
    mention: /processes\[0\]\.run\[0\]: process "app": command "node" was not found/,
  },
  {
    name: 'user-unknown',
    code: 'TEEINIT_USER_UNKNOWN',
    change: (p) => (p.user = 'teeinit-no-such-user'),
    mention: /processes\[0\]\.user: User "teeinit-no-such-user"/,
  },
  {
    name: 'group-unknown',
    code: 'TEEINIT_USER_UNKNOWN',
    change: (p) => (p.group = 'teeinit-no-such-group'),
    mention: /processes\[0\]\.group: Group "teeinit-no-such-group"/,
  },
  {
    name: 'cwd-missing',
    code: 'TEEINIT_SPAWN_FAILED',
    change: (p) => (p.cwd = '/nonexistent/teeinit-cwd'),
    mention:
      /processes\[0\]\.cwd: working directory "\/nonexistent\/teeinit-cwd" of process "app" does not exist/,
  },
  {
    name: 'binary-unreachable-for-its-user',
    code: 'TEEINIT_SPAWN_FAILED',
    change: (p) => {
      p.run = [join(hidden, 'app')];
      p.user = 'nobody';
    },
    mention:
      /processes\[0\]\.run\[0\]: process "app" runs as user "nobody" .*cannot search the directory/,
    skip: root ? false : 'needs root to run a process as another user',
  },
  {
    name: 'ready-command-missing',
    code: 'TEEINIT_SPAWN_NOT_FOUND',
    change: (p) => (p.ready = { command: ['teeinit-no-such-probe'] }),
    mention: /processes\[0\]\.ready\.command\[0\]: process "app": command "teeinit-no-such-probe"/,
  },
  {
    name: 'file-owner-unknown',
    code: 'TEEINIT_USER_UNKNOWN',
    change: (_p, c) => (c.files.entries['server-key'].owner = 'teeinit-no-such-owner'),
    mention: /files\.entries\.server-key\.owner: User "teeinit-no-such-owner"/,
  },
];

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((s) => s.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('run: spawn-time checks before any port or fetch', { timeout: 240_000 }, () => {
  const ctx = useRunWorld('teeinit-preflight');

  for (const c of CASES) {
    test(c.name, { skip: c.skip ?? false, timeout: 60_000 }, async () => {
      const marker = join(ctx.work, `${c.name}.started`);
      const dir = join(ctx.secrets.path, c.name);
      const [proxyPort, statusPort, targetPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const app = {
        name: 'app',
        run: [process.execPath, FIXTURES + 'inspect-files.js', marker, '{{ file server-key }}'],
      };
      const config = worldConfig(ctx.world, dir, [app], {
        proxies: [{ ...ingressProxy(proxyPort, targetPort), start: 'before-processes' }],
        status: { listen: `127.0.0.1:${statusPort}` },
      }) as Record<string, any>;
      allowNonTmpfs(config, ctx.secrets);
      c.change((config.processes as Record<string, any>[])[0]!, config);
      const held = [await listen(proxyPort), await listen(statusPort)];
      const [probe] = parseFaultRules([
        { id: `probe-${c.name}`, route: '*', latencyMs: 0, times: PROBE_TIMES },
      ]);
      ctx.world.emulator.faults.add(probe!);
      try {
        const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
        const code = await t.exited(30_000);
        assert.equal(code, ERROR_CODES[c.code].exitCode, t.output());
        const lines = t
          .stderr()
          .split('\n')
          .filter((l) => l.startsWith('teeinit: '));
        assert.equal(lines.length, 1, t.stderr());
        assert.match(lines[0]!, new RegExp(`^teeinit: ${c.code}: `));
        assert.match(lines[0]!, c.mention);
        const seen = ctx.world.emulator.faults.list().find((r) => r.id === probe!.id);
        assert.equal(seen?.times, PROBE_TIMES, 'the emulator saw a request');
        assert.ok(!existsSync(marker), 'no process may start');
        assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'no file may be left');
        assert.doesNotMatch(t.output(), /status endpoint listening|proxy listening/);
        assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
      } finally {
        ctx.world.emulator.faults.clear();
        await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
      }
    });
  }

  test('a process whose checks pass still starts (the checks refuse nothing valid)', async () => {
    const marker = join(ctx.work, 'valid.started');
    const dir = join(ctx.secrets.path, 'valid');
    mkdirSync(join(ctx.work, 'cwd'), { recursive: true });
    const config = worldConfig(ctx.world, dir, [
      {
        name: 'app',
        run: ['node', FIXTURES + 'inspect-files.js', marker, '{{ file server-key }}'],
        cwd: join(ctx.work, 'cwd'),
        ready: { command: ['true'] },
      },
    ]) as Record<string, any>;
    allowNonTmpfs(config, ctx.secrets);
    const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
    await t.waitFor(/^READY$/m);
    assert.ok(existsSync(marker), t.output());
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 0, t.output());
  });
});
