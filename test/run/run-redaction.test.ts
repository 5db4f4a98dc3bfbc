// What a server or a child echoes back is masked before teeinit prints it: the attestation
// token an STS error page quotes (in the fatal error's two stderr lines, and in a retry
// warning of a DEBUG run), and a fetched secret a child prints through `prefixOutput`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultRule } from '../../emulator/faults/rules.js';
import { ERROR_CODES } from '../../src/errors/index.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { FIXTURES, logLines, runTeeinit } from '../helpers/teeinit-process.js';
import { useRunWorld } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

describe('run: redaction of echoed secrets', { timeout: 240_000 }, () => {
  const ctx = useRunWorld('teeinit-redaction');

  /** The token teeinit will read: the emulator's token file, as a launcher writes it. */
  const attestationToken = (): string => readFileSync(ctx.world.emulator.tokenFile, 'utf8').trim();

  /** An STS that quotes the subject token it was sent in its error page. */
  const echoToken = (id: string, status: 400 | 500, times?: number): FaultRule => ({
    id,
    route: 'sts.token',
    error: { status, message: `subject_token ${attestationToken()} is not acceptable` },
    ...(times === undefined ? {} : { times }),
  });

  test('fatal error quoting the attestation token: masked on both stderr lines', async () => {
    const dir = join(ctx.secrets.path, 'fatal');
    const config = worldConfig(ctx.world, dir, [
      { name: 'app', run: [process.execPath, FIXTURES + 'forever.js'] },
    ]) as Record<string, any>;
    allowNonTmpfs(config, ctx.secrets);
    const token = attestationToken();
    ctx.world.emulator.faults.add(echoToken('echo-fatal', 400));
    try {
      const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
      const code = await t.exited(30_000);
      assert.equal(code, ERROR_CODES.TEEINIT_IDENTITY_REJECTED.exitCode, t.output());
      const human = t
        .stderr()
        .split('\n')
        .find((l) => l.startsWith('teeinit: '));
      assert.match(
        human ?? '',
        /^teeinit: TEEINIT_IDENTITY_REJECTED: .*subject_token \[REDACTED\]/,
      );
      const json = logLines(t.stderr()).find((l) => l.code === 'TEEINIT_IDENTITY_REJECTED');
      assert.match(String(json?.message), /subject_token \[REDACTED\]/);
      assertNoSecrets(t.output(), [token, ...ctx.secretValues], 'the output of teeinit');
    } finally {
      ctx.world.emulator.faults.clear();
    }
  });

  test('DEBUG run: the attestation token appears in no output', async () => {
    const dir = join(ctx.secrets.path, 'debug');
    const config = worldConfig(ctx.world, dir, [
      {
        name: 'app',
        run: [
          process.execPath,
          FIXTURES + 'inspect-files.js',
          join(ctx.work, 'debug.started'),
          '{{ file server-key }}',
        ],
        prefixOutput: true,
      },
    ]) as Record<string, any>;
    config.log = { level: 'DEBUG' };
    allowNonTmpfs(config, ctx.secrets);
    const token = attestationToken();
    // The first exchange fails with a retryable error quoting the token, the next succeed.
    ctx.world.emulator.faults.add(echoToken('echo-once', 500, 1));
    try {
      const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
      await t.waitFor(/\[app\] READY/);
      t.kill('SIGTERM');
      assert.equal(await t.exited(), 0, t.output());
      assert.match(t.output(), /credential attempt failed, retrying.*subject_token \[REDACTED\]/);
      assert.match(t.output(), /"severity":"DEBUG"/);
      assertNoSecrets(t.output(), [token, ...ctx.secretValues], 'the output of teeinit');
    } finally {
      ctx.world.emulator.faults.clear();
    }
  });

  test('prefixOutput: a fetched secret the child prints is masked', async () => {
    const dir = join(ctx.secrets.path, 'prefixed');
    // Prints the key file to stdout and to stderr, then waits for SIGTERM.
    const script = [
      "const fs = require('node:fs'); const key = fs.readFileSync(process.argv[1]);",
      "process.stdout.write(key); process.stderr.write(key); console.log('PRINTED');",
      "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);",
    ].join(' ');
    const config = worldConfig(ctx.world, dir, [
      {
        name: 'app',
        run: [process.execPath, '-e', script, '{{ file server-key }}'],
        prefixOutput: true,
      },
    ]) as Record<string, any>;
    allowNonTmpfs(config, ctx.secrets);
    const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
    await t.waitFor(/^\[app\] PRINTED$/m);
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 0, t.output());
    // The PEM armour is public and passes; every body line is masked on both streams.
    assert.match(t.stdout(), /^\[app\] -----BEGIN PRIVATE KEY-----\n\[app\] \[REDACTED\]$/m);
    assert.match(t.stderr(), /^\[app\] -----BEGIN PRIVATE KEY-----\n\[app\] \[REDACTED\]$/m);
    assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
  });
});
