// The materialize stage with real files on tmpfs: which files, names, modes, owners,
// order (TLS key before certificate), rendered templates, argv/env, fail-closed template
// errors, the tmpfs refusal, cleanup, and no secret value in any log line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type {
  Config,
  FileEntryConfig,
  ProcessConfig,
  TemplateConfig,
} from '../../src/config/types.js';
import { TeeinitError, type ErrorCode } from '../../src/errors/index.js';
import type { Material } from '../../src/keys/index.js';
import { Logger, Redactor } from '../../src/log/index.js';
import { materialize, TEMP_PREFIX, TMPFS_MAGIC } from '../../src/materialize/index.js';

const isRoot = process.getuid?.() === 0;
let base: string; // on tmpfs when one is available
let accounts: string;
let tmpfs = false;

// Fresh secret values per run; every captured output is grepped for each of them.
const SECRETS = {
  ca: `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`,
  'server-cert': `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`,
  'server-key': `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----\n`,
  password: `pw-${randomBytes(12).toString('hex')}`,
  unused: `unused-${randomBytes(12).toString('hex')}`,
};
const PSK = randomBytes(32);
const material: Material = {
  secrets: new Map(Object.entries(SECRETS).map(([k, v]) => [k, Buffer.from(v)])),
  keys: new Map([['psk', PSK]]),
  tls: new Map(),
};
const NEEDLES = [
  ...Object.values(SECRETS).flatMap((v) =>
    v.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')),
  ),
  PSK.toString('hex'),
  PSK.toString('base64'),
];

function proc(name: string, extra: Partial<ProcessConfig> = {}): ProcessConfig {
  return {
    name,
    run: ['/bin/true'],
    env: {},
    inheritEnv: false,
    allowValue: false,
    restart: { policy: 'never', backoff: 1000, maxBackoff: 1000, maxRestarts: 0, window: 1000 },
    stopSignal: 'SIGTERM',
    stopTimeout: 1000,
    prefixOutput: false,
    ...extra,
  };
}

function entry(e: Partial<FileEntryConfig> & { name: string }): FileEntryConfig {
  return { mode: 0o400, encoding: 'raw', ...e };
}

interface Shape {
  dir: string;
  unsafe?: boolean;
  entries?: Record<string, FileEntryConfig>;
  templates?: Record<string, TemplateConfig>;
  processes?: ProcessConfig[];
}

function config(s: Shape): Config {
  const secret = { from: 'alice', source: 'file' as const, path: '/dev/null' };
  return {
    secrets: Object.fromEntries(Object.keys(SECRETS).map((k) => [k, secret])),
    keys: { psk: { shares: ['a', 'b'], kdf: 'hkdf-sha256', salt: 's', info: 'psk', length: 32 } },
    tls: { server: { cert: 'server-cert', key: 'server-key', ca: 'ca', usage: 'server' } },
    files: {
      dir: s.dir,
      unsafeAllowNonTmpfs: s.unsafe ?? !tmpfs,
      defaultMode: 0o400,
      entries: s.entries ?? {},
    },
    templates: s.templates ?? {},
    processes: s.processes ?? [],
  } as unknown as Config;
}

function capture(): { logger: Logger; text: () => string } {
  let out = '';
  const sink = {
    write: (chunk: string) => ((out += chunk), true),
  } as unknown as NodeJS.WritableStream;
  // A fresh, empty redactor: the test proves nothing is logged, not that it is masked.
  const logger = new Logger({
    level: 'DEBUG',
    format: 'json',
    stdout: sink,
    stderr: sink,
    redactor: new Redactor(),
  });
  return { logger, text: () => out };
}

function assertNoSecret(text: string): void {
  for (const needle of NEEDLES) assert.ok(!text.includes(needle), 'a secret value reached the log');
}

async function until<T>(what: string, fn: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

async function rejectsWith(
  p: Promise<unknown>,
  code: ErrorCode,
  mention: string,
): Promise<TeeinitError> {
  let caught: unknown;
  await p.catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof TeeinitError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.message.includes(mention), `${caught.message} lacks ${mention}`);
  return caught;
}

before(async () => {
  tmpfs = (await statfs('/dev/shm').catch(() => undefined))?.type === TMPFS_MAGIC;
  base = await mkdtemp(join(tmpfs ? '/dev/shm' : tmpdir(), 'teeinit-mat-'));
  accounts = await mkdtemp(join(tmpdir(), 'teeinit-accounts-'));
  await writeFile(
    join(accounts, 'passwd'),
    'root:x:0:0::/root:/bin/sh\nsvc:x:4321:4322::/home/svc:/bin/false\n',
  );
  await writeFile(join(accounts, 'group'), 'root:x:0:\nsvcgrp:x:4322:\nshared:x:4400:\n');
});
after(async () => {
  await rm(base, { recursive: true, force: true });
  await rm(accounts, { recursive: true, force: true });
});

const accountFiles = (): { passwd: string; group: string } => ({
  passwd: join(accounts, 'passwd'),
  group: join(accounts, 'group'),
});

describe('materialize', () => {
  test(
    'writes what is used, key before certificate, with modes, owners and templates',
    { timeout: 20000 },
    async () => {
      const dir = join(base, 'full', 'secrets');
      const source = join(base, 'app.conf.tmpl');
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
        const m = await materialize(cfg, material, { MAXMEM: '64mb' }, logger, {
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
        await rm(join(base, 'full'), { recursive: true, force: true });
      }
    },
  );

  test(
    'the filesystem sees the TLS key renamed into place before its certificate',
    { timeout: 10000 },
    async () => {
      const dir = await mkdtemp(join(base, 'order-'));
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
        const m = await materialize(
          config({ dir, processes: [proc('p', { run })] }),
          material,
          {},
          capture().logger,
        );
        await until('inotify events', () => (events.length >= 4 ? true : undefined));
        assert.deepEqual(events, ['server-key', 'server-cert', 'ca', 'psk']);
        await m.cleanup();
        assert.deepEqual(await readdir(dir), [], 'cleanup empties a directory it did not create');
      } finally {
        watcher.close();
      }
    },
  );

  test('raw key encoding, default names and a 0700 directory', { timeout: 10000 }, async () => {
    const dir = join(base, 'raw');
    const cfg = config({
      dir,
      processes: [proc('p', { run: ['x', '{{ file psk }}', '{{ file password }}'] })],
    });
    const m = await materialize(cfg, material, {}, capture().logger);
    assert.deepEqual(await readFile(join(dir, 'psk')), PSK);
    assert.equal(await readFile(join(dir, 'password'), 'utf8'), SECRETS.password);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    await m.cleanup();
  });

  test(
    'a value in argv is allowed only with allowValue, and warned about once',
    { timeout: 10000 },
    async () => {
      const dir = join(base, 'value');
      const p = proc('redis', {
        run: ['redis-server', '--requirepass', '{{ value password }}'],
        env: { K: '{{ value psk }}' },
        allowValue: true,
      });
      const { logger, text } = capture();
      const m = await materialize(config({ dir, processes: [p] }), material, {}, logger);
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
      what: 'an unreadable template source',
      shape: (dir) => ({
        dir,
        templates: { t: { source: '/nonexistent/t.tmpl', allowValue: false } },
      }),
      code: 'TEEINIT_TEMPLATE_INVALID',
      mention: '/nonexistent/t.tmpl',
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
      const dir = join(base, `fail-${failures.indexOf(f)}`);
      const { logger, text } = capture();
      await rejectsWith(
        materialize(config(f.shape(dir)), material, f.overrides ?? {}, logger, {
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
          materialize(cfg, material, {}, capture().logger),
          'TEEINIT_NOT_TMPFS',
          dir,
        );
        assert.match(e.hint, /tmpfs/);
        assert.match(e.hint, /unsafeAllowNonTmpfs/);
        await assert.rejects(stat(dir), 'the refused directory is not created');

        const { logger, text } = capture();
        const m = await materialize(
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
