// One collaborator cannot add lines to a config file that carries another collaborator's
// material: bob's value rendered raw next to alice's key file holds "\nmaliciousdirective"
// → start-up is refused (TEEINIT_TEMPLATE_VALUE_UNSAFE, naming the template and the secret,
// never the value), nothing starts, nothing is written. `| json` renders the same bytes as
// one quoted line. A refresh that brings such a value is refused the same way and keeps
// the previous file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { DEFAULT_POOL, imagePrincipalSet } from '../../emulator/default-world.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import { ERROR_CODES } from '../../src/errors/index.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { FIXTURES, logLines, runTeeinit } from '../helpers/teeinit-process.js';
import { useRunWorld } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

const SAFE = 'client-one-of-bob';
const MALICIOUS = 'client-one-of-bob\nmaliciousdirective yes';
const TEMPLATE = 'tls-key-file {{ file server-key }}\nclient-name {{ value bob-extra%FILTER% }}\n';

describe(
  'run: a collaborator value cannot add lines to a config file',
  { timeout: 240_000 },
  () => {
    const ctx = useRunWorld('teeinit-injection');

    /** bob's secret `bob-extra-NAME`: `values` as versions 1..n, alias `current` at `current`. */
    const seedBobExtra = (name: string, values: readonly string[], current: number): void => {
      const member = imagePrincipalSet('222222222222', DEFAULT_POOL, DEFAULT_IMAGE_DIGEST);
      applySeed(
        ctx.world.emulator.store,
        parseSeedDocument({
          secrets: [
            {
              project: 'bob-proj',
              id: `bob-extra-${name}`,
              versions: values.map((data) => ({ data })),
              aliases: { current },
              bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [member] }],
            },
          ],
        }),
        Date.now,
      );
    };

    const config = (name: string, filter: string, extra: Record<string, unknown> = {}) => {
      const marker = join(ctx.work, `${name}.started`);
      const dir = join(ctx.secrets.path, name);
      const c = worldConfig(
        ctx.world,
        dir,
        [
          {
            name: 'backend',
            run: [
              process.execPath,
              FIXTURES + 'inspect-files.js',
              marker,
              '{{ file backend.conf }}',
            ],
          },
        ],
        extra,
      ) as Record<string, any>;
      c.secrets['bob-extra'] = {
        from: 'bob',
        ref: `projects/bob-proj/secrets/bob-extra-${name}/versions/current`,
      };
      c.templates = {
        'backend.conf': { allowValue: true, content: TEMPLATE.replace('%FILTER%', filter) },
      };
      allowNonTmpfs(c, ctx.secrets);
      return { marker, dir, path: writeConfig(ctx.work, c) };
    };

    test('raw value with a newline: refused, nothing started or written', async () => {
      seedBobExtra('refused', [MALICIOUS], 1);
      const c = config('refused', '');
      const t = runTeeinit(['run', '-c', c.path]);
      const code = await t.exited(30_000);
      assert.equal(code, ERROR_CODES.TEEINIT_TEMPLATE_VALUE_UNSAFE.exitCode, t.output());
      const lines = t
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('teeinit: '));
      assert.equal(lines.length, 1, t.stderr());
      assert.match(
        lines[0]!,
        /^teeinit: TEEINIT_TEMPLATE_VALUE_UNSAFE: templates\.backend\.conf: \{\{ value bob-extra \}\}: secret "bob-extra" holds a line break/,
      );
      assert.ok(!lines[0]!.includes('[REDACTED]'), 'the message never held the value');
      assert.ok(!t.output().includes('maliciousdirective'), t.output());
      assert.ok(!existsSync(c.marker), 'no process may start');
      assert.ok(!existsSync(c.dir) || readdirSync(c.dir).length === 0, 'no file may be left');
      assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
    });

    test('| json: the same bytes as one quoted line', async () => {
      seedBobExtra('json', [MALICIOUS], 1);
      const c = config('json', ' | json');
      const t = runTeeinit(['run', '-c', c.path]);
      await t.waitFor(/^READY$/m);
      const rendered = readFileSync(join(c.dir, 'backend.conf'), 'utf8');
      assert.equal(
        rendered,
        `tls-key-file ${join(c.dir, 'server.key')}\nclient-name "client-one-of-bob\\nmaliciousdirective yes"\n`,
      );
      t.kill('SIGTERM');
      assert.equal(await t.exited(), 0, t.output());
    });

    test('refresh bringing a newline: refused, the previous file kept', async () => {
      seedBobExtra('refresh', [SAFE], 1);
      const c = config('refresh', '', {
        refresh: { interval: '1s', jitter: 0, retry: { backoff: '200ms', maxBackoff: '1s' } },
      });
      const t = runTeeinit(['run', '-c', c.path]);
      await t.waitFor(/^READY$/m);
      const file = join(c.dir, 'backend.conf');
      const before = readFileSync(file, 'utf8');
      assert.match(before, /^client-name client-one-of-bob$/m);
      seedBobExtra('refresh', [SAFE, MALICIOUS], 2);
      await t.waitFor(/secret refresh failed/, 30_000);
      const warning = logLines(t.stderr()).find(
        (l) => l.message === 'secret refresh failed; keeping the previous secrets',
      );
      assert.equal(warning?.code, 'TEEINIT_TEMPLATE_VALUE_UNSAFE', t.stderr());
      assert.equal(readFileSync(file, 'utf8'), before, 'the file keeps the previous value');
      assert.ok(!t.output().includes('maliciousdirective'));
      t.kill('SIGTERM');
      assert.equal(await t.exited(), 0, t.output());
    });
  },
);
