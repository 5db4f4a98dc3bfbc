// passwd/group parsing: names, numbers, unknown names, comments and malformed lines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TeeinitError } from '../errors/index.js';
import { resolveGroup, resolveOwner, resolveUser, type AccountFiles } from './users.js';

let dir: string;
let files: AccountFiles;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'teeinit-users-'));
  files = { passwd: join(dir, 'passwd'), group: join(dir, 'group') };
  await writeFile(
    files.passwd!,
    '# comment\nroot:x:0:0:root:/root:/bin/sh\nbroken line\npostgres:x:999:998:PostgreSQL:/var/lib/postgresql:/bin/false\nnohome:x:1000:1000:::\n',
  );
  await writeFile(files.group!, 'root:x:0:\nssl-cert:x:110:postgres\npostgres:x:998:\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('resolveUser by name and by number', { timeout: 5000 }, () => {
  assert.deepEqual(resolveUser('postgres', files), {
    name: 'postgres',
    uid: 999,
    gid: 998,
    home: '/var/lib/postgresql',
  });
  assert.deepEqual(resolveUser('999', files), resolveUser('postgres', files));
  assert.deepEqual(resolveUser('nohome', files).home, '/');
  assert.deepEqual(resolveUser('4242', files), { name: '4242', uid: 4242, gid: 4242, home: '/' });
});

test('resolveGroup and resolveOwner', { timeout: 5000 }, () => {
  assert.equal(resolveGroup('ssl-cert', files), 110);
  assert.equal(resolveGroup('77', files), 77);
  assert.deepEqual(resolveOwner('postgres', undefined, files), { uid: 999, gid: 998 });
  assert.deepEqual(resolveOwner('postgres', 'ssl-cert', files), { uid: 999, gid: 110 });
  assert.deepEqual(resolveOwner(undefined, undefined, files), {
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
  });
});

test('unknown names are TEEINIT_USER_UNKNOWN', { timeout: 5000 }, () => {
  for (const fn of [() => resolveUser('redis', files), () => resolveGroup('wheel', files)]) {
    assert.throws(
      fn,
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_USER_UNKNOWN' &&
        /redis|wheel/.test(e.message),
    );
  }
});
