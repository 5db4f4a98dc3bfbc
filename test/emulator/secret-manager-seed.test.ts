// Seeding (document validation, idempotent apply) and the gcloud-like secrets CLI against
// a running emulator started with startEmulator, in-process and as the built binary.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import { runSecretsCli } from '../../emulator/seed/cli.js';
import { EmulatorStore, secretKey } from '../../emulator/store.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';

const T = { timeout: 30_000 };
// Several runs of the CLI, each a Node start-up: a slow, loaded machine needs more than T.
const CLI_T = { timeout: 90_000 };
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SECRET_VALUE = `s3cr3t-${process.pid}-${Date.now()}`;

describe('seed documents', () => {
  const store = () => {
    const s = new EmulatorStore();
    s.addProject({ id: 'alice-proj', number: '111111111111' });
    return s;
  };
  const doc = {
    secrets: [
      {
        project: 'alice-proj',
        id: 'ca',
        versions: [{ data: 'one' }, { dataBase64: 'dHdv', state: 'DISABLED' }],
        aliases: { current: 1 },
        bindings: [{ role: 'roles/secretmanager.secretAccessor', members: ['allUsers'] }],
      },
    ],
  };

  test('apply creates versions, aliases and bindings; re-applying changes nothing', T, () => {
    const s = store();
    const seed = parseSeedDocument(doc);
    applySeed(s, seed, () => 0);
    applySeed(s, seed, () => 1000);
    const secret = s.secrets.get(secretKey('111111111111', 'ca'))!;
    assert.deepEqual(
      secret.versions.map((v) => [v.number, v.state, v.data?.toString()]),
      [
        [1, 'ENABLED', 'one'],
        [2, 'DISABLED', 'two'],
      ],
    );
    assert.deepEqual(secret.versionAliases, { current: 1 });
    assert.deepEqual(secret.bindings, [
      { role: 'roles/secretmanager.secretAccessor', members: ['allUsers'] },
    ]);
  });

  test('conflicts and bad documents are rejected before anything changes', T, () => {
    const s = store();
    applySeed(s, parseSeedDocument(doc), () => 0);
    const changed = structuredClone(doc);
    changed.secrets[0]!.versions[0] = { data: 'other' };
    assert.throws(() => applySeed(s, parseSeedDocument(changed), () => 0), {
      code: 'TEEINIT_CONFIG_INVALID',
      message: /version 1 already exists with other data/,
    });
    const cases: unknown[] = [
      { secrets: [{ project: 'alice-proj', id: 'x', versions: [{}] }] },
      {
        secrets: [
          { project: 'alice-proj', id: 'x', versions: [{ data: 'a', dataBase64: 'YQ==' }] },
        ],
      },
      { secrets: [{ project: 'alice-proj', id: 'bad/id' }] },
      { secrets: [{ project: 'alice-proj', id: 'x', bogus: true }] },
      { secrets: [{ project: 'alice-proj', id: 'x', versions: [{ dataFile: '/nonexistent/f' }] }] },
    ];
    for (const c of cases) {
      assert.throws(() => parseSeedDocument(c), { code: 'TEEINIT_CONFIG_INVALID' });
    }
    assert.throws(
      () => applySeed(s, parseSeedDocument({ secrets: [{ project: 'nope', id: 'x' }] }), () => 0),
      /unknown project nope/,
    );
    assert.throws(
      () =>
        applySeed(
          s,
          parseSeedDocument({
            secrets: [
              { project: 'alice-proj', id: 'y', versions: [{ data: 'a' }], aliases: { a: 3 } },
            ],
          }),
          () => 0,
        ),
      /alias a points to version 3/,
    );
    assert.equal(s.secrets.has(secretKey('111111111111', 'y')), false);
  });
});

describe('secrets CLI against startEmulator', () => {
  let emu: RunningEmulator;
  let dir: string;
  let out: Buffer[] = [];
  let err: string[] = [];
  const io = {
    out: (c: string | Uint8Array) => void out.push(Buffer.from(c)),
    err: (l: string) => void err.push(l),
    stdin: () => Promise.resolve(Buffer.from(SECRET_VALUE)),
  };
  const cli = async (...argv: string[]) => {
    out = [];
    err = [];
    const code = await runSecretsCli([...argv, '--emulator-state', emu.stateDir], io);
    return { code, out: Buffer.concat(out).toString(), err: err.join('\n') };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'teeinit-sm-cli-'));
    emu = await startEmulator({ stateDir: join(dir, 'state') });
  });
  after(async () => {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('create from stdin, add a version, access, disable, list', T, async () => {
    const created = await cli(
      'secrets',
      'create',
      'api-key',
      '--project',
      'alice-proj',
      '--data-file',
      '-',
    );
    assert.equal(created.code, 0, created.err);
    assert.match(created.err, /Created version \[1\] of the secret \[api-key\]/);
    await writeFile(join(dir, 'v2'), 'second');
    const added = await cli(
      'secrets',
      'versions',
      'add',
      'api-key',
      '--project',
      'alice-proj',
      '--data-file',
      join(dir, 'v2'),
    );
    assert.equal(added.code, 0, added.err);
    const one = await cli(
      'secrets',
      'versions',
      'access',
      '1',
      '--secret',
      'api-key',
      '--project',
      '111111111111',
    );
    assert.equal(one.out, SECRET_VALUE);
    const latest = await cli(
      'secrets',
      'versions',
      'access',
      'latest',
      '--secret',
      'api-key',
      '--project',
      'alice-proj',
    );
    assert.equal(latest.out, 'second');
    assert.equal(
      (
        await cli(
          'secrets',
          'versions',
          'disable',
          '2',
          '--secret',
          'api-key',
          '--project',
          'alice-proj',
        )
      ).code,
      0,
    );
    const denied = await cli(
      'secrets',
      'versions',
      'access',
      '2',
      '--secret',
      'api-key',
      '--project',
      'alice-proj',
    );
    assert.equal(denied.code, 1);
    assert.match(
      denied.err,
      /FAILED_PRECONDITION: Secret Version \[projects\/111111111111\/secrets\/api-key\/versions\/2\] is in DISABLED state/,
    );
    const listed = await cli('secrets', 'versions', 'list', 'api-key', '--project', 'alice-proj');
    assert.match(listed.out, /^NAME\s+STATE\s+CREATED\n2\s+DISABLED .*\n1\s+ENABLED /);
    const secrets = await cli('secrets', 'list', '--project', 'alice-proj');
    assert.match(secrets.out, /api-key/);
    const bound = await cli(
      'secrets',
      'add-iam-policy-binding',
      'api-key',
      '--project',
      'alice-proj',
      '--member',
      'serviceAccount:x@alice-proj.iam.gserviceaccount.com',
      '--role',
      'roles/secretmanager.secretAccessor',
    );
    assert.equal(bound.code, 0, bound.err);
    assert.match(bound.out, /serviceAccount:x@alice-proj/);
  });

  test('usage errors exit 64; help exits 0', T, async () => {
    assert.equal((await cli('secrets', 'create', '--project', 'alice-proj')).code, 64);
    assert.equal((await cli('secrets', 'create', 'x', '--bogus', '1')).code, 64);
    assert.equal((await cli('secrets', 'frobnicate')).code, 64);
    const help = await cli('secrets', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /versions access VERSION --secret NAME/);
  });

  test('seed FILE (YAML, dataFile relative to it) through the built binary', CLI_T, async () => {
    await writeFile(join(dir, 'share.bin'), SECRET_VALUE);
    await writeFile(
      join(dir, 'seed.yaml'),
      [
        'secrets:',
        '  - project: bob-proj',
        '    id: bob_psk',
        '    location: europe-west4',
        '    versions: [{ dataFile: share.bin }]',
        '    bindings:',
        '      - role: roles/secretmanager.secretAccessor',
        '        members: [allUsers]',
        '',
      ].join('\n'),
    );
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [
          join(ROOT, 'dist/emulator/cli.js'),
          ...args,
          '--emulator-state',
          emu.stateDir,
        ]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const seeded = await run('seed', join(dir, 'seed.yaml'));
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.match(seeded.stderr, /Seeded 0 project\(s\) and 1 secret\(s\)/);
    assertNoSecrets([seeded.stdout, seeded.stderr], [SECRET_VALUE], 'the seed output');
    const got = await run(
      'secrets',
      'versions',
      'access',
      '1',
      '--secret',
      'bob_psk',
      '--project',
      'bob-proj',
      '--location',
      'europe-west4',
    );
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, SECRET_VALUE);
    const res = await fetch(
      `${emu.endpoints.secretManager}/v1/projects/bob-proj/locations/europe-west4/secrets/bob_psk/versions/latest:access`,
      { headers: { authorization: `Bearer ${emu.adminToken}` } },
    );
    const body = (await res.json()) as { name: string };
    assert.equal(
      body.name,
      'projects/222222222222/locations/europe-west4/secrets/bob_psk/versions/1',
    );
  });
});
