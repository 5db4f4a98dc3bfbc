// examples/postgres end to end: a cluster initialized like the Dockerfile does (initdb, role
// `app`), the shipped config against the emulator, postgres as the postgres user with the key
// 0600 owned by postgres, psql with sslmode=verify-full as the certificate user, a
// connection without a certificate refused, then SIGTERM.
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveUser } from '../../src/preflight/users.js';
import { runCommand } from '../helpers/command.js';
import { expectCleanShutdown, expectReadyz } from './checks.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { processNamed, replaceInStrings } from './example-config.js';
import { useMtlsExample } from './mtls-fixture.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const PATH = `${PG_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`;

// The Dockerfile's build step: an empty cluster with role `app` owning database `app`.
async function initCluster(dataDir: string, cwd: string): Promise<void> {
  const asPostgres = (argv: readonly string[], input?: string) =>
    runCommand(['runuser', '-u', 'postgres', '--', ...argv], {
      timeoutMs: 60_000,
      env: { PATH },
      cwd,
      ...(input === undefined ? {} : { input }),
    });
  const init = await asPostgres([
    `${PG_BIN}/initdb`,
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--auth-local=peer',
    '--auth-host=reject',
  ]);
  assert.equal(init.code, 0, init.stderr);
  const role = await asPostgres(
    [`${PG_BIN}/postgres`, '--single', '-D', dataDir, 'postgres'],
    'CREATE ROLE app LOGIN;\nCREATE DATABASE app OWNER app;\n',
  );
  assert.equal(role.code, 0, role.stderr);
}

describe('examples/postgres', { timeout: 180_000 }, () => {
  const ex = useMtlsExample({
    example: 'postgres',
    secretPrefix: 'pg',
    clientCn: 'app',
    ports: { postgres: '5432' },
    // postgres accepts TCP while it is still starting up ("the database system is starting
    // up"); the fixture waits for the port, then for teeinit's "running", logged only after
    // the config's pg_isready probe succeeded.
    listen: 'postgres',
    startTimeoutMs: 90_000,
    backends: { postgres: 'postgres' },
    env: { PATH },
    configure: async (shipped, { dirs }) => {
      const postgres = resolveUser('postgres');
      const dataDir = join(dirs.work, 'pgdata');
      const socketDir = join(dirs.work, 'sock');
      for (const d of [dataDir, socketDir]) {
        mkdirSync(d, { mode: 0o700 });
        chownSync(d, postgres.uid, postgres.gid);
      }
      await initCluster(dataDir, dirs.work);
      let tree = replaceInStrings(shipped, '/var/lib/postgresql/tee-data', dataDir);
      tree = replaceInStrings(tree, 'listen_addresses=*', 'listen_addresses=127.0.0.1');
      processNamed(tree, 'postgres').run.push('-c', `unix_socket_directories=${socketDir}`);
      return tree;
    },
  });

  const psql = (conn: string) =>
    runCommand([`${PG_BIN}/psql`, conn, '-tAc', 'SELECT 1'], { env: { PATH } });
  const base = () =>
    `host=localhost hostaddr=127.0.0.1 port=${ex.ports.postgres} dbname=app user=app`;

  test(
    'psql sslmode=verify-full as the certificate user runs SELECT 1',
    { timeout: 30_000 },
    async () => {
      const f = ex.pki.clientFiles;
      const r = await psql(
        `${base()} sslmode=verify-full sslrootcert=${f.ca} sslcert=${f.cert} sslkey=${f.key}`,
      );
      assert.equal(r.stdout.trim(), '1', r.stderr);
    },
  );

  test('a connection without a client certificate is refused', { timeout: 30_000 }, async () => {
    const r = await psql(
      `${base()} sslmode=verify-full sslrootcert=${ex.pki.clientFiles.ca} sslcert=/nonexistent sslkey=/nonexistent`,
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /certificate/);
  });

  test('a plaintext connection is refused', { timeout: 30_000 }, async () => {
    const r = await psql(`${base()} sslmode=disable`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no pg_hba\.conf entry/);
  });

  test('the key is 0600 and owned by postgres; pg_hba.conf rendered', { timeout: 10_000 }, () => {
    const postgres = resolveUser('postgres');
    for (const [file, mode] of [
      ['server.key', 0o600],
      ['server.crt', 0o400],
      ['ca.crt', 0o444],
      ['pg_hba.conf', 0o400],
    ] as const) {
      const st = statSync(join(ex.dirs.secrets, file));
      assert.equal(st.mode & 0o777, mode, file);
      assert.equal(st.uid, postgres.uid, file);
    }
  });

  test(
    'the shipped status endpoint answers /readyz 200 (HTTP health check)',
    { timeout: 10_000 },
    () => expectReadyz(ex.statusPort),
  );

  test('SIGTERM: fast shutdown, exit 0, tmpfs emptied', { timeout: 60_000 }, async () => {
    await expectCleanShutdown(ex.run, ex.pids.postgres, ex.dirs.secrets, 0);
    assertNoSecrets(ex.run.output(), [ex.pki.server.key], 'teeinit output');
  });
});
