// The materialize stage fails closed: template, owner and name errors before anything is
// written, and a directory that is not tmpfs refused (naming the fix) unless unsafe.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorCode } from '../../src/errors/index.js';
import { TMPFS_MAGIC } from '../../src/preflight/tmpfs.js';
import {
  accountFiles,
  assertNoSecret,
  capture,
  config,
  entry,
  material,
  materializeAsRun,
  proc,
  rejectsWith,
  where,
  type Shape,
} from './fixture.js';

describe('materialize fails closed', () => {
  const failures: {
    what: string;
    shape: (dir: string) => Shape;
    overrides?: Record<string, string>;
    code: ErrorCode;
    mention: string;
  }[] = [
    {
      what: 'a file reference to an undeclared name',
      shape: (dir) => ({ dir, processes: [proc('p', { run: ['x', '{{ file nope }}'] })] }),
      code: 'TEEINIT_TEMPLATE_INVALID',
      mention: 'nope',
    },
    {
      what: 'a missing env override',
      shape: (dir) => ({
        dir,
        templates: { t: { content: 'x={{ env MISSING }}', allowValue: false } },
      }),
      code: 'TEEINIT_TEMPLATE_INVALID',
      mention: 'MISSING',
    },
    {
      what: 'a value without allowValue',
      shape: (dir) => ({ dir, processes: [proc('p', { env: { P: '{{ value password }}' } })] }),
      code: 'TEEINIT_TEMPLATE_INVALID',
      mention: 'allowValue',
    },
    {
      what: 'a value in a template without allowValue',
      shape: (dir) => ({
        dir,
        templates: { t: { content: '{{ value psk }}', allowValue: false } },
      }),
      code: 'TEEINIT_TEMPLATE_INVALID',
      mention: 'templates.t',
    },
    {
      what: 'an unknown owner',
      shape: (dir) => ({ dir, entries: { ca: entry({ name: 'ca.pem', owner: 'nobody-here' }) } }),
      code: 'TEEINIT_USER_UNKNOWN',
      mention: 'nobody-here',
    },
    {
      what: 'a file name with a slash',
      shape: (dir) => ({ dir, entries: { ca: entry({ name: '../ca.pem' }) } }),
      code: 'TEEINIT_CONFIG_INVALID',
      mention: '../ca.pem',
    },
  ];
  for (const f of failures) {
    test(`fails closed on ${f.what}, writing nothing`, { timeout: 10000 }, async () => {
      const dir = join(where.base, `fail-${failures.indexOf(f)}`);
      const { logger, text } = capture();
      const cfg = config(f.shape(dir));
      await rejectsWith(
        materializeAsRun(cfg, material, f.overrides ?? {}, logger, {
          accountFiles: accountFiles(),
        }),
        f.code,
        f.mention,
      );
      await assert.rejects(stat(dir), 'nothing was created');
      assertNoSecret(text());
    });
  }

  test(
    'refuses a directory that is not on tmpfs, naming the fix',
    { timeout: 10000 },
    async (t) => {
      const disk = await mkdtemp(
        join(new URL('../../..', import.meta.url).pathname, '.teeinit-not-tmpfs-'),
      );
      try {
        if ((await statfs(disk)).type === TMPFS_MAGIC)
          return t.skip('the repository itself is on tmpfs');
        const dir = join(disk, 'secrets');
        const cfg = config({
          dir,
          unsafe: false,
          processes: [proc('p', { run: ['x', '{{ file ca }}'] })],
        });
        const e = await rejectsWith(
          materializeAsRun(cfg, material, {}, capture().logger),
          'TEEINIT_NOT_TMPFS',
          dir,
        );
        assert.match(e.hint, /tmpfs/);
        assert.match(e.hint, /unsafeAllowNonTmpfs/);
        await assert.rejects(stat(dir), 'the refused directory is not created');

        const { logger, text } = capture();
        const m = await materializeAsRun(
          config({
            ...{ dir, unsafe: true },
            processes: [proc('p', { run: ['x', '{{ file ca }}'] })],
          }),
          material,
          {},
          logger,
        );
        assert.match(text(), /"severity":"WARNING".*not on tmpfs/);
        await m.cleanup();
      } finally {
        await rm(disk, { recursive: true, force: true });
      }
    },
  );
});
