// `teeinit collaborators` through the built CLI: each collaborator's output names only its
// own secrets, projects, pool and service account (every example config), and bad input
// exits with a clear code: a malformed digest, an unknown collaborator, a config with
// errors, an option given twice.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import type { ExampleTree } from '../examples/example-config.js';
import { REPO } from '../examples/harness.js';
import type { CommandResult } from '../helpers/command.js';
import { removeDir, tempDir } from '../helpers/temp.js';
import { randomDigest, teeinitCollaborators, type JsonCollaborator } from './world.js';

const T = { timeout: 60_000 };
const CONFIGS = [
  'examples/redis/teeinit.yaml',
  'examples/envoy-http/teeinit.yaml',
  'examples/envoy-tcp/teeinit.yaml',
  'examples/postgres/teeinit.yaml',
  'examples/psk/teeinit.yaml',
  'examples/psk/teeinit-client.yaml',
];

/** What names a collaborator's resources, read from the config itself (not the output). */
function tokensOf(tree: ExampleTree, name: string): string[] {
  const c = tree.collaborators[name]!;
  const number = /projects\/(\d+)\//.exec(c.provider ?? '')![1]!;
  const pool = (c.provider ?? '')
    .replace(/^\/\/iam\.googleapis\.com\//, '')
    .replace(/\/providers\/.*$/, '');
  const secrets = Object.values(tree.secrets)
    .filter((s) => s.from === name && s.ref !== undefined)
    .map((s) => /^projects\/([^/]+)\/.*secrets\/([^/]+)\//.exec(s.ref!)!);
  return [
    pool,
    `--project=${number}`,
    ...secrets.flatMap(([, project, id]) => [
      `secrets create ${id!} `,
      `secrets add-iam-policy-binding ${id!} `,
      `--project=${project!}`,
    ]),
    ...(c.serviceAccount === undefined ? [] : [c.serviceAccount]),
  ];
}

/** The failure contract of the CLI: exit code, one summary line naming the problem, one JSON line. */
function assertFailure(r: CommandResult, code: string, exit: number, fragment: RegExp): void {
  assert.equal(r.code, exit, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.ok(lines[0]!.startsWith(`teeinit: ${code}: `), lines[0]);
  assert.match(lines[0]!, fragment);
  assert.equal((JSON.parse(lines[1]!) as { code: string }).code, code);
}

describe('teeinit collaborators (CLI)', () => {
  const dir = tempDir('teeinit-collab-cli-').dir;
  after(() => removeDir(dir));
  const digest = randomDigest();

  for (const config of CONFIGS) {
    test(`${config}: each collaborator's commands name only its own resources`, T, async () => {
      const tree = parse(readFileSync(join(REPO, config), 'utf8')) as ExampleTree;
      const names = Object.keys(tree.collaborators);
      const all = await teeinitCollaborators([
        '-c',
        join(REPO, config),
        '--image-digest',
        digest,
        '--json',
      ]);
      assert.equal(all.code, 0, all.stderr);
      const { collaborators } = JSON.parse(all.stdout) as { collaborators: JsonCollaborator[] };
      assert.deepEqual(
        collaborators.map((c) => c.name),
        names,
      );
      for (const c of collaborators) {
        const r = await teeinitCollaborators([
          '-c',
          join(REPO, config),
          '--image-digest',
          digest,
          '--collaborator',
          c.name,
        ]);
        assert.equal(r.code, 0, r.stderr);
        const own = tokensOf(tree, c.name);
        for (const token of own)
          assert.ok(r.stdout.includes(token), `${c.name}'s output names ${token}`);
        for (const other of names.filter((o) => o !== c.name)) {
          for (const token of tokensOf(tree, other).filter((t) => !own.includes(t))) {
            assert.ok(!r.stdout.includes(token), `${c.name}'s output names ${other}'s ${token}`);
          }
          assert.ok(
            !r.stdout.includes(`collaborators.${other}`),
            `${c.name}'s output names ${other}`,
          );
        }
        // Only its own commands: every gcloud line is one of its JSON commands.
        assert.equal((r.stdout.match(/^gcloud /gm) ?? []).length, c.commands.length);
      }
    });
  }

  test(
    'a template file that lives only in the image is noted on stderr, not an error',
    T,
    async () => {
      const r = await teeinitCollaborators([
        '-c',
        join(REPO, CONFIGS[1]!),
        '--image-digest',
        digest,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^gcloud secrets create envoy-ca /m);
      assert.equal(
        r.stderr,
        'teeinit: note: templates.envoy-config.source is not on this machine (it lives in the image); checked as empty here, `teeinit validate` in the image reads it\n',
      );
    },
  );

  test('a malformed digest: TEEINIT_IMAGE_DIGEST_INVALID (64)', T, async () => {
    const r = await teeinitCollaborators([
      '-c',
      join(REPO, CONFIGS[0]!),
      '--image-digest',
      'sha256:abc',
    ]);
    assertFailure(r, 'TEEINIT_IMAGE_DIGEST_INVALID', 64, /--image-digest: "sha256:abc"/);
  });

  test(
    'an undeclared collaborator: TEEINIT_COLLABORATOR_UNKNOWN (64), naming the declared ones',
    T,
    async () => {
      const r = await teeinitCollaborators([
        '-c',
        join(REPO, CONFIGS[4]!),
        '--image-digest',
        digest,
        '--collaborator',
        'carol',
      ]);
      assertFailure(r, 'TEEINIT_COLLABORATOR_UNKNOWN', 64, /"carol".*alice, bob/);
    },
  );

  test('a config with errors: its config code (78)', T, async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'version: 1\nsecrets:\n  ca: { from: nobody, ref: projects/p-proj/secrets/ca/versions/1 }\nprocesses: [{ name: app, run: [app] }]\n',
    );
    const r = await teeinitCollaborators(['-c', bad, '--image-digest', digest]);
    assertFailure(r, 'TEEINIT_CONFIG_REFERENCE', 78, /secrets\.ca\.from/);
    const missing = await teeinitCollaborators([
      '-c',
      join(dir, 'none.yaml'),
      '--image-digest',
      digest,
    ]);
    assertFailure(missing, 'TEEINIT_CONFIG_NOT_FOUND', 78, /none\.yaml/);
  });

  test('usage: every option once, --image-digest required, no extra argument', T, async () => {
    const c = ['-c', join(REPO, CONFIGS[0]!)];
    const cases: [string[], RegExp][] = [
      [
        [...c, '--image-digest', digest, '--image-digest', digest],
        /--image-digest is given more than once/,
      ],
      [
        [...c, '--image-digest', digest, '--collaborator', 'alice', '--collaborator', 'bob'],
        /--collaborator is given more than once/,
      ],
      [c, /needs --image-digest/],
      [[...c, '--image-digest', digest, 'alice'], /unexpected argument "alice"/],
      [
        [
          ...c,
          '--image-digest',
          digest,
          '--workload-service-account',
          "x'@p.iam.gserviceaccount.com",
        ],
        /--workload-service-account/,
      ],
      [[...c, '--image-digest', digest, '--operator-project', 'X'], /--operator-project/],
    ];
    for (const [args, fragment] of cases) {
      assertFailure(await teeinitCollaborators(args), 'TEEINIT_USAGE', 64, fragment);
    }
  });

  test('--help names every option and the example', T, async () => {
    const r = await teeinitCollaborators(['--help']);
    assert.equal(r.code, 0);
    for (const flag of [
      '--image-digest',
      '--collaborator',
      '--workload-service-account',
      '--operator-project',
      '--json',
    ]) {
      assert.ok(r.stdout.includes(flag), flag);
    }
  });
});
