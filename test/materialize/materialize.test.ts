// The materialize stage with real files on tmpfs: which files, names, modes, owners,
// order (TLS key before certificate), rendered templates, argv/env, cleanup, and no secret
// value in any log line. Failures: materialize-failures.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../../src/materialize/index.js';
import {
  accountFiles,
  assertNoSecret,
  capture,
  config,
  entry,
  isRoot,
  material,
  materializeAsRun,
  proc,
  PSK,
  SECRETS,
  where,
} from './fixture.js';
import { pollUntil } from '../helpers/poll.js';

describe('materialize', () => {
  test(
    'writes what is used, key before certificate, with modes, owners and templates',
    { timeout: 20000 },
    async () => {
      const dir = join(where.base, 'full', 'secrets');
      const source = join(where.base, 'app.conf.tmpl');
      await writeFile(
        source,
        'tls_cert {{ file server-cert }}\ntls_key {{ file server-key }}\nmaxmem {{ env MAXMEM }}\n',
      );
      const cfg = config({
        dir,
        entries: {
          'server-key': entry({ name: 'server.key', mode: 0o600, owner: 'svc' }),
          'server-cert': entry({ name: 'server.crt', mode: 0o444, owner: 'svc', group: 'shared' }),
          psk: entry({ name: 'psk.hex', encoding: 'hex' }),
        },
        templates: {
          'app-conf': { source, allowValue: false },
          'psk-conf': {
            content: 'identity Client1\nkey {{ value psk }}\npassword {{ value password }}\n',
            allowValue: true,
          },
        },
        processes: [
          proc('app', {
            run: [
              'app',
              '--config',
              '{{ file app-conf }}',
              '--ca={{ file ca }}',
              'literal {{{{ x }}',
            ],
            env: { MAXMEM: '{{ env MAXMEM }}' },
          }),
        ],
      });
      const { logger, text } = capture();
      try {
        const m = await materializeAsRun(cfg, material, { MAXMEM: '64mb' }, logger, {
          accountFiles: accountFiles(),
        });
        assert.equal(m.dir, dir);
        const names = (await readdir(dir)).sort();
        assert.deepEqual(
          names,
          ['app-conf', 'ca', 'psk-conf', 'psk.hex', 'server.crt', 'server.key'],
          'unused secrets are not written',
        );

        // Order as logged; the inotify test below sees the same order on the filesystem.
        const logged = text()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { message: string; name?: string })
          .filter((r) => r.message === 'secret file written')
          .map((r) => r.name);
        assert.deepEqual(logged, [
          'server-key',
          'server-cert',
          'ca',
          'psk',
          'app-conf',
          'psk-conf',
        ]);

        const st = async (n: string): Promise<[number, number, number]> => {
          const s = await stat(join(dir, n));
          return [s.mode & 0o777, s.uid, s.gid];
        };
        const own: [number, number] = [process.getuid?.() ?? 0, process.getgid?.() ?? 0];
        if (isRoot) {
          assert.deepEqual(await st('server.key'), [0o600, 4321, 4322]);
          assert.deepEqual(await st('server.crt'), [0o444, 4321, 4400]);
          assert.equal((await stat(dir)).mode & 0o777, 0o711, 'others need x on the directory');
        }
        assert.deepEqual(await st('ca'), [0o400, ...own]);
        assert.deepEqual(await st('psk.hex'), [0o400, ...own]);

        assert.equal(await readFile(join(dir, 'server.key'), 'utf8'), SECRETS['server-key']);
        assert.equal(await readFile(join(dir, 'psk.hex'), 'utf8'), PSK.toString('hex'));
        assert.equal(
          await readFile(join(dir, 'app-conf'), 'utf8'),
          `tls_cert ${dir}/server.crt\ntls_key ${dir}/server.key\nmaxmem 64mb\n`,
        );
        assert.equal(
          await readFile(join(dir, 'psk-conf'), 'utf8'),
          `identity Client1\nkey ${PSK.toString('hex')}\npassword ${SECRETS.password}\n`,
        );
        assert.equal(m.files.get('server-key'), join(dir, 'server.key'));

        const p = cfg.processes[0]!;
        const args = m.renderArgs(p);
        assert.deepEqual(args.argv, [
          'app',
          '--config',
          join(dir, 'app-conf'),
          `--ca=${join(dir, 'ca')}`,
          'literal {{ x }}',
        ]);
        assert.deepEqual(args.env, { MAXMEM: '64mb' }, 'inheritEnv false: nothing else');
        assert.ok(
          'PATH' in m.renderArgs({ ...p, inheritEnv: true }).env,
          'inheritEnv true merges teeinit env',
        );

        await m.cleanup();
        await m.cleanup(); // idempotent
        m.cleanupSync();
        await assert.rejects(stat(dir), 'the directory it created is removed');
        assertNoSecret(text());
      } finally {
        await rm(join(where.base, 'full'), { recursive: true, force: true });
      }
    },
  );

  test(
    'the filesystem sees the TLS key renamed into place before its certificate',
    { timeout: 10000 },
    async () => {
      const dir = await mkdtemp(join(where.base, 'order-'));
      const events: string[] = [];
      // inotify reports renames in order; temp names are skipped.
      const watcher = watch(dir, (_event, name) => {
        if (name !== null && !name.startsWith(TEMP_PREFIX) && !events.includes(name))
          events.push(name);
      });
      try {
        const run = [
          'x',
          '{{ file ca }}',
          '{{ file server-cert }}',
          '{{ file server-key }}',
          '{{ file psk }}',
        ];
        const m = await materializeAsRun(
          config({ dir, processes: [proc('p', { run })] }),
          material,
          {},
          capture().logger,
        );
        await pollUntil('inotify events', () => events.length >= 4, 5000);
        assert.deepEqual(events, ['server-key', 'server-cert', 'ca', 'psk']);
        await m.cleanup();
        assert.deepEqual(await readdir(dir), [], 'cleanup empties a directory it did not create');
      } finally {
        watcher.close();
      }
    },
  );

  test('raw key encoding, default names and a 0700 directory', { timeout: 10000 }, async () => {
    const dir = join(where.base, 'raw');
    const cfg = config({
      dir,
      processes: [proc('p', { run: ['x', '{{ file psk }}', '{{ file password }}'] })],
    });
    const { logger, text } = capture();
    const m = await materializeAsRun(cfg, material, {}, logger);
    assert.deepEqual(await readFile(join(dir, 'psk')), PSK);
    assert.equal(await readFile(join(dir, 'password'), 'utf8'), SECRETS.password);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    // The only test that writes the raw PSK: its log is searched for the key's hex/base64.
    assertNoSecret(text());
    await m.cleanup();
  });

  test(
    'a value in argv is allowed only with allowValue, and warned about once',
    { timeout: 10000 },
    async () => {
      const dir = join(where.base, 'value');
      const p = proc('redis', {
        run: ['redis-server', '--requirepass', '{{ value password }}'],
        env: { K: '{{ value psk }}' },
        allowValue: true,
      });
      const { logger, text } = capture();
      const m = await materializeAsRun(config({ dir, processes: [p] }), material, {}, logger);
      const args = m.renderArgs(p);
      m.renderArgs(p);
      assert.equal(args.argv[2], SECRETS.password);
      assert.equal(args.env.K, PSK.toString('hex'));
      const warnings = text()
        .split('\n')
        .filter((l) => l.includes('receives a secret value'));
      assert.equal(warnings.length, 1);
      assertNoSecret(text());
      await m.cleanup();
    },
  );
  test(
    'renders a template source as loaded, whatever the file holds or whether it exists later',
    { timeout: 10000 },
    async () => {
      const dir = join(where.base, 'loaded-once', 'secrets');
      const changed = join(where.base, 'changed.tmpl');
      const removed = join(where.base, 'removed.tmpl');
      await writeFile(changed, 'ca {{ file ca }}\n');
      await writeFile(removed, 'cert {{ file server-cert }}\n');
      const cfg = config({
        dir,
        templates: {
          changed: { source: changed, allowValue: false },
          removed: { source: removed, allowValue: false },
        },
      });
      // After loading (validate), the image's files change: run must not read them again.
      await writeFile(changed, 'ca {{ file ca }}\nextra {{ file psk }}\n');
      await rm(removed);
      const { logger, text } = capture();
      const m = await materializeAsRun(cfg, material, {}, logger);
      try {
        assert.equal(await readFile(join(dir, 'changed'), 'utf8'), `ca ${join(dir, 'ca')}\n`);
        assert.equal(
          await readFile(join(dir, 'removed'), 'utf8'),
          `cert ${join(dir, 'server-cert')}\n`,
        );
        assert.deepEqual((await readdir(dir)).sort(), ['ca', 'changed', 'removed', 'server-cert']);
        assertNoSecret(text());
      } finally {
        await m.cleanup();
      }
    },
  );
});
