// The `teeinit-emulator` binary: `serve` prints its endpoints, files and an env block,
// serves, and stops cleanly on SIGTERM/SIGINT; `secrets` goes to the running emulator.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../helpers/poll.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(root, 'dist', 'emulator', 'cli.js');
let dir: string;

interface Served {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

async function serve(stateDir: string, extra: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--state-dir', stateDir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await pollUntil(
    'the emulator to print its endpoints (or exit)',
    () => out.includes('# stop with') || child.exitCode !== null,
    60_000,
  ).catch(() => undefined); // the assertion below reports what it printed
  assert.match(out, /# stop with/, out);
  return { child, output: () => out, exit };
}

function urlOf(output: string, name: string): string {
  const m = new RegExp(`^${name}\\s+(http://\\S+)$`, 'm').exec(output);
  assert.ok(m?.[1], `line for ${name} in:\n${output}`);
  return m[1];
}

/** `expires_in` of a token from the served metadata server (one second under the lifetime). */
async function metadataExpiresIn(s: Served): Promise<number> {
  const metadata = `${urlOf(s.output(), 'metadata')}/computeMetadata/v1`;
  const res = await fetch(`${metadata}/instance/service-accounts/default/token`, {
    headers: { 'Metadata-Flavor': 'Google' },
  });
  return ((await res.json()) as { expires_in: number }).expires_in;
}

describe('teeinit-emulator CLI', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('serve: banner, working services, clean SIGTERM stop', { timeout: 90_000 }, async () => {
    const stateDir = join(dir, 'a');
    const s = await serve(stateDir, ['--token-lifetime', '30', '--seed', '7']);
    try {
      const out = s.output();
      for (const name of ['issuer', 'sts', 'iamCredentials', 'secretManager', 'metadata', 'admin'])
        urlOf(out, name);
      assert.match(
        out,
        new RegExp(`^token file\\s+${join(stateDir, 'attestation_verifier_claims_token')}$`, 'm'),
      );
      assert.match(out, new RegExp(`^teeserver\\s+${join(stateDir, 'teeserver.sock')}$`, 'm'));
      assert.match(out, /^export GCE_METADATA_HOST=127\.0\.0\.1:\d+$/m);
      assert.match(out, new RegExp(`^export TEEINIT_EMULATOR_STATE=${stateDir}$`, 'm'));
      const discovery = await fetch(`${urlOf(out, 'issuer')}/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      // The secrets CLI reaches the running emulator through the state directory.
      const env = { ...process.env, TEEINIT_EMULATOR_STATE: stateDir };
      await run(process.execPath, [CLI, 'secrets', 'create', 'demo', '--project', 'alice-proj'], {
        env,
      });
      const listed = await run(
        process.execPath,
        [CLI, 'secrets', 'list', '--project', 'alice-proj'],
        { env },
      );
      assert.match(listed.stdout, /demo/);
      s.child.kill('SIGTERM');
      assert.equal(await s.exit, 0);
      assert.match(s.output(), /teeinit-emulator: stopped\n$/);
      await assert.rejects(stat(join(stateDir, 'teeserver.sock')), { code: 'ENOENT' });
    } finally {
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  });

  test(
    'serve: --access-token-lifetime; SIGINT also stops it with exit 0',
    { timeout: 90_000 },
    async () => {
      const s = await serve(join(dir, 'b'), ['--access-token-lifetime', '120']);
      try {
        assert.equal(await metadataExpiresIn(s), 119);
        s.child.kill('SIGINT');
        assert.equal(await s.exit, 0);
      } finally {
        if (s.child.exitCode === null) s.child.kill('SIGKILL');
      }
    },
  );

  test(
    'serve: --access-token-lifetime satisfies a config maxLifetimeSeconds below the default',
    { timeout: 90_000 },
    async () => {
      const world = JSON.parse((await run(process.execPath, [CLI, 'default-config'])).stdout) as {
        accessTokens?: Record<string, number>;
      };
      const config = join(dir, 'short-ceiling.json');
      await writeFile(
        config,
        JSON.stringify({ ...world, accessTokens: { maxLifetimeSeconds: 600 } }),
      );
      const flags = ['--config', config];
      // Without the flag the default lifetime (3600) is above the ceiling: a config error.
      await assert.rejects(
        run(process.execPath, [CLI, 'serve', '--state-dir', join(dir, 'f'), ...flags]),
        (e: { code: number; stderr: string }) => {
          assert.equal(e.code, 78, e.stderr);
          assert.match(e.stderr, /3600 is above accessTokens\.maxLifetimeSeconds \(600\)/);
          return true;
        },
      );
      const s = await serve(join(dir, 'g'), [...flags, '--access-token-lifetime', '300']);
      try {
        assert.equal(await metadataExpiresIn(s), 299);
        s.child.kill('SIGTERM');
        assert.equal(await s.exit, 0);
      } finally {
        if (s.child.exitCode === null) s.child.kill('SIGKILL');
      }
    },
  );

  test('--help, default-config and usage errors', { timeout: 90_000 }, async () => {
    const help = await run(process.execPath, [CLI, '--help']);
    assert.match(help.stdout, /^Usage: teeinit-emulator COMMAND/);
    const config = JSON.parse((await run(process.execPath, [CLI, 'default-config'])).stdout) as {
      providers: unknown[];
    };
    assert.equal(config.providers.length, 2);
    /** `teeinit-emulator serve --state-dir DIR/<sub> ...args` exits `code`, stderr matching `re`. */
    const serveFails = (sub: string, args: string[], code: number, re: RegExp) =>
      assert.rejects(
        run(process.execPath, [CLI, 'serve', '--state-dir', join(dir, sub), ...args]),
        (e: { code: number; stderr: string }) => {
          assert.equal(e.code, code);
          assert.match(e.stderr, re);
          return true;
        },
      );
    await serveFails('c', ['--bogus'], 64, /bogus/);
    await serveFails(
      'e',
      ['--access-token-lifetime', '43201'],
      64,
      /--access-token-lifetime expects 1\.\.43200 seconds, got 43201/,
    );
    await serveFails('d', ['--config', join(dir, 'missing.yaml')], 78, /missing\.yaml/);
  });
});
