// The printed setup: shell quoting, line layout, the commands of each kind of version, and
// grants per principal set or through the impersonated service account.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfigTree } from '../config/index.js';
import { baseTree } from '../config/test-fixtures.js';
import { buildSetupPlan } from './build-setup.js';
import { collaboratorSteps, argText } from './commands.js';
import { formatSetupJson, formatSetupScript, renderCommand, shellQuote } from './format.js';

const A = `sha256:${'a'.repeat(64)}`;

describe('collaborators: shell', () => {
  const quoted: [string, string][] = [
    ['plain-word_1.2', 'plain-word_1.2'],
    ['two words', "'two words'"],
    ["it's", "'it'\\''s'"],
    ['$HOME', "'$HOME'"],
    ['', "''"],
  ];
  for (const [word, expected] of quoted) {
    test(`quotes ${JSON.stringify(word)}`, () => assert.equal(shellQuote(word), expected));
  }

  test('a long command is continued with backslashes, a word never split', () => {
    const text = renderCommand([
      'gcloud',
      'secrets',
      'add-iam-policy-binding',
      'name',
      '--project=p',
      '--role=roles/secretmanager.secretAccessor',
      { flag: 'member', value: `principalSet://x/${A}`, quote: 'double' },
    ]);
    const lines = text.split('\n');
    assert.ok(lines.length > 1);
    for (const line of lines.slice(0, -1)) assert.match(line, / \\$/);
    assert.equal(lines.at(-1), `  --member="principalSet://x/${A}"`);
  });
});

function script(patch: (t: ReturnType<typeof baseTree>) => void): {
  text: string;
  argv: string[][];
} {
  const tree = baseTree();
  patch(tree);
  const p = buildSetupPlan(loadConfigTree(tree).config, {
    imageDigests: [A],
    collaborator: 'alice',
  });
  const argv = collaboratorSteps(p, p.collaborators[0]!).flatMap((s) =>
    s.commands.map((c) => c.args.map(argText)),
  );
  return { text: formatSetupScript(p), argv };
}

describe('collaborators: commands', () => {
  test('create, versions add, aliases, latest and a pin above 1 are each explained', () => {
    const { text, argv } = script((t) => {
      t.secrets = {
        one: { from: 'alice', ref: 'projects/alice-proj/secrets/s/versions/1' },
        two: { from: 'alice', ref: 'projects/alice-proj/secrets/s/versions/2' },
        cur: { from: 'alice', ref: 'projects/alice-proj/secrets/s/versions/current' },
        now: { from: 'alice', ref: 'projects/alice-proj/secrets/n/versions/latest' },
        old: { from: 'alice', ref: 'projects/alice-proj/locations/us-east1/secrets/o/versions/4' },
        bob: { from: 'bob', ref: 'projects/bob-proj/secrets/b/versions/1' },
      };
      t.keys = {};
      t.tls = {};
      t.files = {};
      t.proxies = [];
      t.processes = [{ name: 'app', run: ['x'] }];
    });
    const secretCommands = argv.filter(
      (a) => a[1] === 'secrets' && a[2] !== 'add-iam-policy-binding',
    );
    assert.deepEqual(secretCommands, [
      ['gcloud', 'secrets', 'create', 's', '--project=alice-proj', '--data-file=one'],
      ['gcloud', 'secrets', 'versions', 'add', 's', '--project=alice-proj', '--data-file=two'],
      ['gcloud', 'secrets', 'versions', 'add', 's', '--project=alice-proj', '--data-file=cur'],
      [
        'gcloud',
        'secrets',
        'update',
        's',
        '--project=alice-proj',
        '--update-version-aliases=current=3',
      ],
      ['gcloud', 'secrets', 'create', 'n', '--project=alice-proj', '--data-file=now'],
      [
        'gcloud',
        'secrets',
        'versions',
        'add',
        'o',
        '--project=alice-proj',
        '--location=us-east1',
        '--data-file=old',
      ],
    ]);
    assert.match(text, /The alias current is pointed at version 3/);
    assert.match(text, /latest is the newest version whatever its state: not pinned/);
    assert.match(text, /Version 4 is pinned: the secret must already have 3 version\(s\)/);
    assert.match(text, /gcloud secrets versions list o --project=alice-proj --location=us-east1/);
    const grants = argv.filter((a) => a[2] === 'add-iam-policy-binding');
    assert.deepEqual(
      grants.map((a) => a[3]),
      ['s', 'n', 'o'],
    );
    assert.ok(grants[2]!.includes('--location=us-east1'));
    assert.doesNotMatch(text, /bob/);
  });

  test('a gap between pinned versions is named', () => {
    const { text } = script((t) => {
      t.secrets = {
        one: { from: 'alice', ref: 'projects/alice-proj/secrets/s/versions/1' },
        three: { from: 'alice', ref: 'projects/alice-proj/secrets/s/versions/3' },
      };
      t.keys = {};
      t.tls = {};
      t.files = {};
      t.proxies = [];
      t.processes = [{ name: 'app', run: ['x'] }];
    });
    assert.match(
      text,
      /Version 3 is pinned but the config names no version from 2 to\n# {3}2: add/,
    );
  });

  test('impersonation: workloadIdentityUser on the service account, secrets to the account', () => {
    const { text, argv } = script((t) => {
      t.collaborators.alice.serviceAccount = 'reader@alice-proj.iam.gserviceaccount.com';
    });
    const sa = 'reader@alice-proj.iam.gserviceaccount.com';
    assert.deepEqual(
      argv.find((a) => a[2] === 'service-accounts' && a[3] === 'create'),
      ['gcloud', 'iam', 'service-accounts', 'create', 'reader', '--project=alice-proj'],
    );
    const saBinding = argv.find((a) => a[3] === 'add-iam-policy-binding')!;
    assert.deepEqual(saBinding.slice(0, 7), [
      'gcloud',
      'iam',
      'service-accounts',
      'add-iam-policy-binding',
      sa,
      '--project=alice-proj',
      '--role=roles/iam.workloadIdentityUser',
    ]);
    assert.match(
      saBinding[7]!,
      /^--member=principalSet:\/\/.*\/attribute\.image_digest\/sha256:a{64}$/,
    );
    const secretGrants = argv.filter(
      (a) => a[1] === 'secrets' && a[2] === 'add-iam-policy-binding',
    );
    assert.equal(secretGrants.length, 4);
    for (const g of secretGrants) assert.equal(g.at(-1), `--member=serviceAccount:${sa}`);
    assert.match(text, /iamcredentials\.googleapis\.com/);
  });

  test('the digest appears only bare or inside double quotes', () => {
    const { text } = script(() => {});
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || !line.includes(A)) continue;
      const inSingle = line.split("'").filter((_, i) => i % 2 === 1);
      assert.ok(!inSingle.some((part) => part.includes(A) && !line.includes(`"`)), line);
      assert.match(line, /--(member|attribute-condition)="[^"]*"/, line);
    }
  });

  test('JSON: the plan with argv and the shell block per collaborator', () => {
    const tree = baseTree();
    const p = buildSetupPlan(loadConfigTree(tree).config, { imageDigests: [A] });
    const json = JSON.parse(formatSetupJson(p)) as {
      imageDigests: string[];
      collaborators: { name: string; commands: string[][]; script: string }[];
    };
    assert.deepEqual(json.imageDigests, [A]);
    assert.deepEqual(
      json.collaborators.map((c) => c.name),
      ['alice', 'bob'],
    );
    assert.ok(json.collaborators[0]!.commands.every((c) => c[0] === 'gcloud'));
    assert.equal(
      json.collaborators[0]!.script + '\n' + json.collaborators[1]!.script,
      formatSetupScript(p),
    );
  });
});
