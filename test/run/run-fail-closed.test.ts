// Fail closed (DESIGN invariant 1): whatever breaks before the processes run, no process
// starts, no secret file is left, the exit code comes from the error registry and one
// stderr line names the cause — and no secret value appears anywhere.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoWorld } from '../../emulator/demo-world.js';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import { createCa, issueCert } from '../../emulator/pki.js';
import { ERROR_CODES, type ErrorCode } from '../../src/errors/index.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { FIXTURES, runTeeinit } from '../helpers/teeinit-process.js';
import { useRunWorld } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

interface Case {
  readonly name: string;
  readonly code: ErrorCode;
  /** Mutates the config tree before it is written. */
  readonly config?: (c: Record<string, any>) => void;
  /** Prepares the emulator; returns an undo. */
  readonly arrange?: (world: DemoWorld) => Promise<() => Promise<void>>;
  readonly mention: RegExp;
}

const noop = async (): Promise<void> => undefined;

const CASES: Case[] = [
  {
    name: 'identity-debug-image-rejected',
    code: 'TEEINIT_IDENTITY_REJECTED',
    arrange: async (w) => {
      await w.emulator.attestation.usePreset('debug');
      return async () => w.emulator.attestation.usePreset('production');
    },
    mention: /alice|bob/,
  },
  {
    name: 'identity-token-file-missing',
    code: 'TEEINIT_TOKEN_UNAVAILABLE',
    config: (c) => (c.attestation.tokenFile = '/nonexistent/attestation_token'),
    mention: /\/nonexistent\/attestation_token/,
  },
  {
    name: 'fetch-not-found',
    code: 'TEEINIT_SECRET_NOT_FOUND',
    config: (c) => (c.secrets.ca.ref = 'projects/alice-proj/secrets/ca/versions/9'),
    mention: /\bca\b/,
  },
  {
    name: 'fetch-other-collaborators-secret-denied',
    code: 'TEEINIT_PERMISSION_DENIED',
    config: (c) => {
      c.secrets.ca.from = 'bob';
      // Taken for IAM propagation for 1 s, then reported (the default waits 10 minutes).
      c.fetch.permissionGrace = '1s';
    },
    mention: /\bca\b.*bob|bob.*\bca\b/,
  },
  {
    name: 'fetch-unavailable-forever-fails-within-deadline',
    code: 'TEEINIT_SECRET_UNAVAILABLE',
    config: (c) =>
      (c.fetch = {
        startupDeadline: '5s',
        callTimeout: '1s',
        initialBackoff: '20ms',
        maxBackoff: '100ms',
        attempts: 4,
      }),
    arrange: async (w) => {
      for (const r of parseFaultRules([{ route: 'secretmanager.access', error: { status: 503 } }]))
        w.emulator.faults.add(r);
      return async () => w.emulator.faults.clear();
    },
    mention: /503|unavailable/i,
  },
  {
    name: 'fetch-deadline-names-pending-secrets',
    code: 'TEEINIT_STARTUP_DEADLINE',
    config: (c) =>
      (c.fetch = {
        startupDeadline: '1s',
        callTimeout: '200ms',
        // 20 attempts ~200 ms apart (full jitter up to 400 ms) outlast the 1 s deadline.
        initialBackoff: '400ms',
        maxBackoff: '400ms',
        attempts: 20,
      }),
    arrange: async (w) => {
      for (const r of parseFaultRules([{ route: 'secretmanager.access', error: { status: 503 } }]))
        w.emulator.faults.add(r);
      return async () => w.emulator.faults.clear();
    },
    mention: /fetch\.startupDeadline \(1000 ms\); still waiting for: .*\bca\b/,
  },
  {
    name: 'material-cert-key-mismatch',
    code: 'TEEINIT_CERT_KEY_MISMATCH',
    config: (c) =>
      (c.secrets['server-key'].ref = 'projects/alice-proj/secrets/other-key/versions/1'),
    arrange: async (w) => {
      const other = await issueCert(await createCa(), { commonName: 'other' });
      applySeed(
        w.emulator.store,
        parseSeedDocument({
          secrets: [
            {
              project: 'alice-proj',
              id: 'other-key',
              versions: [{ data: other.key }],
              bindings: [{ role: 'roles/secretmanager.secretAccessor', members: ['allUsers'] }],
            },
          ],
        }),
        Date.now,
      );
      return noop;
    },
    mention: /server/,
  },
  {
    name: 'config-unknown-key',
    code: 'TEEINIT_CONFIG_INVALID',
    config: (c) => (c.processes[0].commmand = 'x'),
    mention: /processes\[0\]/,
  },
];

describe('run: fail closed', { timeout: 240_000 }, () => {
  const ctx = useRunWorld('teeinit-failclosed');

  for (const c of CASES) {
    test(c.name, async () => {
      const marker = join(ctx.work, `${c.name}.started`);
      const dir = join(ctx.secrets.path, c.name);
      const config = worldConfig(ctx.world, dir, [
        {
          name: 'app',
          run: [process.execPath, FIXTURES + 'inspect-files.js', marker, '{{ file server-key }}'],
        },
      ]) as Record<string, any>;
      allowNonTmpfs(config, ctx.secrets);
      c.config?.(config);
      const undo = c.arrange === undefined ? noop : await c.arrange(ctx.world);
      try {
        // No wall-clock bound here: the stderr line names the case's own code, and a run that
        // reached the 20 s start-up deadline would name TEEINIT_STARTUP_DEADLINE instead. A
        // 20 s bound from before node even boots failed on a loaded machine (22 s).
        const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
        const code = await t.exited(30_000);
        assert.equal(code, ERROR_CODES[c.code].exitCode, t.output());
        assert.match(t.stderr(), new RegExp(`^teeinit: ${c.code}: `, 'm'));
        assert.match(t.stderr(), c.mention);
        assert.ok(!existsSync(marker), 'no process may start');
        assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'no file may be left');
        assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
      } finally {
        await undo();
      }
    });
  }

  test('startup-cancelled-by-sigterm: nothing starts, exit 143', async () => {
    for (const r of parseFaultRules([{ route: 'secretmanager.access', latencyMs: 5000 }]))
      ctx.world.emulator.faults.add(r);
    const marker = join(ctx.work, 'cancel.started');
    const dir = join(ctx.secrets.path, 'cancel');
    const config = worldConfig(ctx.world, dir, [
      { name: 'app', run: [process.execPath, FIXTURES + 'inspect-files.js', marker] },
    ]) as Record<string, any>;
    allowNonTmpfs(config, ctx.secrets);
    try {
      const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
      await t.waitFor(/teeinit starting/);
      t.kill('SIGTERM');
      assert.equal(await t.exited(10_000), 143, t.output());
      assert.match(t.stderr(), /TEEINIT_STARTUP_CANCELLED/);
      assert.ok(!existsSync(marker));
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0);
    } finally {
      ctx.world.emulator.faults.clear();
    }
  });
});
