// `teeinit run` end to end against the emulator: secrets fetched per collaborator, files on
// tmpfs with their modes, the process started with the paths, SIGTERM forwarded, the
// child's exit code returned, every file removed, no secret value in any output.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  assertNoSecrets,
  assertNoSecretsInFiles,
  filesModifiedSince,
} from '../helpers/leak-scan.js';
import { freePort } from '../helpers/net.js';
import { FIXTURES, logLines, runTeeinit } from '../helpers/teeinit-process.js';
import { useRunWorld } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

describe('run: the whole flow', { timeout: 90_000 }, () => {
  const ctx = useRunWorld('teeinit-run');

  test('run-happy-path: files, modes, process, SIGTERM, exit code, cleanup', async () => {
    const marker = join(ctx.work, 'started');
    const dir = join(ctx.secrets.path, 'happy');
    const config = worldConfig(ctx.world, dir, [
      {
        name: 'app',
        run: [
          process.execPath,
          FIXTURES + 'inspect-files.js',
          marker,
          '{{ file server-cert }}',
          '{{ file server-key }}',
          '{{ file session-psk }}',
        ],
        env: { TEEINIT_FIXTURE_EXIT: '7' },
      },
    ]);
    allowNonTmpfs(config, ctx.secrets);
    const began = Date.now();
    const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
    await t.waitFor(/READY/);
    assert.match(t.stdout(), new RegExp(`FILE ${dir}/server-cert mode=400 `));
    assert.match(t.stdout(), new RegExp(`FILE ${dir}/server.key mode=600 `));
    assert.match(t.stdout(), new RegExp(`FILE ${dir}/session-psk mode=400 size=32`));
    assert.ok(existsSync(marker));
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 7, t.output());
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'secrets directory emptied');
    const lines = logLines(t.stdout());
    const first = lines.find((l) => l.message === 'teeinit starting');
    assert.match(String(first?.configSha256), /^[0-9a-f]{64}$/);
    assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
    // Nothing outside the secrets directory holds a secret: the work dir (config, emulator
    // state), the OS temp dir and the working directory, for files written during the run.
    const written = filesModifiedSince([ctx.work, tmpdir(), process.cwd()], began, [
      ctx.secrets.path,
      join(process.cwd(), 'node_modules'),
      join(process.cwd(), '.git'),
    ]);
    assertNoSecretsInFiles(written, ctx.secretValues);
  });

  test('run-exit-code: the process exit code is teeinit exit code', async () => {
    const dir = join(ctx.secrets.path, 'exit');
    const config = worldConfig(ctx.world, dir, [
      { name: 'app', run: [process.execPath, '-e', 'process.exit(3)'] },
    ]);
    allowNonTmpfs(config, ctx.secrets);
    const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
    assert.equal(await t.exited(), 3, t.output());
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0);
  });

  test('run-second-sigterm-during-drain: secret files are still removed', async () => {
    const dir = join(ctx.secrets.path, 'drain');
    const port = await freePort();
    const config = worldConfig(
      ctx.world,
      dir,
      [{ name: 'app', run: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] }],
      {
        shutdown: { stopTimeout: '3s' },
        proxies: [
          {
            name: 'ingress',
            mode: 'psk-server',
            listen: `127.0.0.1:${port}`,
            target: '127.0.0.1:9',
            psk: 'session-psk',
            identity: 'client',
            limits: { handshakeTimeout: '1h' },
          },
        ],
      },
    );
    allowNonTmpfs(config, ctx.secrets);
    const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
    // A connection that never completes its handshake keeps the proxy draining.
    await t.waitFor(/"running"/);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      assert.ok(readdirSync(dir).length > 0, 'files written');
      t.kill('SIGTERM');
      // The pipeline's own "stopping" line (no stage): the children are gone, the drain runs.
      await t.waitFor(/"message":"stopping","time":"[^"]*","reason":"stopped"/);
      t.kill('SIGTERM');
      await t.exited();
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, t.output());
      assert.match(t.stdout(), /secret files removed/);
    } finally {
      socket.destroy();
    }
  });
});
