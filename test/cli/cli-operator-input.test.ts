// What an operator can add to the image's command line, and what a config error shows.
// The images' ENTRYPOINT is `… run -c /etc/teeinit/config.yaml` and a launch policy may let
// the operator append arguments (tee-cmd): a second `-c` must not pick another config
// file, and whatever config is read, its errors show key paths only (escaped and cut),
// never a value of the file.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runCli, stopStrayClis, type CliResult } from './cli-helpers.js';
import { tempDir } from '../helpers/temp.js';

const OK_CONFIG = (name: string): string =>
  [
    'version: 1',
    'collaborators:',
    '  local: { credentials: none }',
    'secrets:',
    `  ${name}: { from: local, path: /dev/null }`,
    'processes:',
    '  - { name: app, run: [app, "{{ file ' + name + ' }}"] }',
    '',
  ].join('\n');

/** The usage-error contract: exit 64, one line naming the problem, one JSON line, no stdout. */
function assertUsage(r: CliResult, fragment: string): void {
  assert.equal(r.code, 64, r.stderr + r.stdout);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.ok(lines[0]!.startsWith('teeinit: TEEINIT_USAGE: '), lines[0]);
  assert.ok(lines[0]!.includes(fragment), `${lines[0]}\n  lacks: ${fragment}`);
}

/**
 * Every line is printable ASCII and bounded, and none holds a forbidden text: a hostile
 * config can neither put its content nor a newline or escape sequence into the output.
 */
function assertOnlyAllowedText(r: CliResult, forbidden: readonly string[]): void {
  assert.equal(r.code, 78, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  for (const line of lines) {
    assert.match(line, /^[\x20-\x7e]+$/, JSON.stringify(line));
    assert.ok(line.length < 1200, `a line of ${line.length} characters`);
  }
  for (const text of forbidden) assert.ok(!r.stderr.includes(text), `${r.stderr}\nshows ${text}`);
}

describe('command line and config errors under operator input', { timeout: 120_000 }, () => {
  const tmp = tempDir('teeinit-cli-');
  after(async () => {
    await stopStrayClis();
    tmp.remove();
  });
  const a = tmp.write('a.yaml', OK_CONFIG('from-a'));
  const b = tmp.write('b.yaml', OK_CONFIG('from-b'));

  const repeated: [string, string[], string][] = [
    ['-c twice', ['validate', '-c', a, '-c', b], '--config'],
    ['-c then --config', ['validate', '-c', a, '--config', b], '--config'],
    ['--config= then -c', ['plan', `--config=${a}`, '-c', b], '--config'],
    ['-cFILE then -c', ['plan', `-c${a}`, '-c', b], '--config'],
    ['--json twice', ['plan', '-c', a, '--json', '--json'], '--json'],
    ['run with two configs', ['run', '-c', a, '-c', b], '--config'],
    ['-h twice', ['validate', '-h', '--help'], '--help'],
  ];
  for (const [what, args, option] of repeated) {
    test(`a repeated option is refused: ${what}`, async () => {
      const r = await runCli(args);
      assertUsage(r, `option ${option} is given more than once`);
      assert.ok(!r.stderr.includes('from-b') && !r.stderr.includes('from-a'), r.stderr);
    });
  }

  test('no word beyond the command; nothing after --', async () => {
    assertUsage(await runCli(['run', '-c', a, b]), 'unexpected argument');
    assertUsage(await runCli(['validate', b, '-c', a]), 'unexpected argument');
    const after = await runCli(['validate', '-c', a, '--', '-c', b]);
    assert.equal(after.code, 78, after.stderr);
    assert.match(
      after.stderr,
      /^teeinit: TEEINIT_OVERRIDE_REJECTED: .*extra command-line argument/,
    );
    assert.equal(after.stdout, '');
  });

  test('an argument is echoed escaped and cut', async () => {
    const r = await runCli(['validate', '-c', a, `x\n\u001b[31m${'y'.repeat(500)}`]);
    assertUsage(r, 'unexpected argument "x\\n\\u001b[31m');
    assert.match(r.stderr, /\.\.\.\(\d+ chars\)/);
    assert.ok(!r.stderr.includes('y'.repeat(65)), r.stderr);
    assert.doesNotMatch(r.stderr.trimEnd().split('\n')[0]!, /[^\x20-\x7e]/);
  });

  test('a file name with a terminal escape reaches stderr escaped', async () => {
    const r = await runCli(['validate', '-c', `/nonexistent/x\u001b]0;owned\u0007\u202ey.yaml`]);
    assert.equal(r.code, 78, r.stderr);
    const [human, json] = r.stderr.trimEnd().split('\n');
    assert.ok(human?.includes('x\\u001b]0;owned\\u0007\\u202ey.yaml'), human);
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    assert.ok(json?.startsWith('{'), json);
  });

  // A secret-looking value in each place a config error could quote it.
  const secret = `AKIA${randomBytes(12).toString('hex').toUpperCase()}`;
  const hostile: [string, string, string][] = [
    [
      'a secret-looking value where a signal is expected',
      'signal.yaml',
      OK_CONFIG('s').replace('run: [app,', `stopSignal: "${secret}", run: [app,`),
    ],
    [
      'a secret-looking value as a reference',
      'reference.yaml',
      OK_CONFIG('s').replace('from: local', `from: ${secret}`),
    ],
    [
      'a secret-looking value in a template',
      'template.yaml',
      OK_CONFIG('s').replace('"{{ file s }}"', `"{{ file ${secret} }}"`),
    ],
    [
      'a secret-looking value as a duplicate name',
      'duplicate.yaml',
      OK_CONFIG('s').replace(/name: app/, `name: ${secret}`) +
        `  - { name: ${secret}, run: [x] }\n`,
    ],
    [
      'a 2 KB unknown key, a key with a newline and an escape sequence, a secret in a value',
      'keys.json',
      JSON.stringify({
        version: 1,
        ['k'.repeat(2048)]: secret,
        [`evil\n\u001b[2J\u0007tail`]: secret,
        processes: [{ name: 'app', run: ['x'] }],
      }),
    ],
    [
      'a key with a newline in a named record',
      'record.json',
      JSON.stringify({
        version: 1,
        collaborators: { [`a\nb\u001b[31m`]: { credentials: 'none' } },
        processes: [{ name: 'app', run: [secret] }],
      }),
    ],
    ['an unresolved YAML alias', 'alias.yaml', `version: 1\nprocesses: *${secret}\n`],
  ];
  for (const [what, name, text] of hostile) {
    test(`a hostile config shows key paths only: ${what}`, async () => {
      const path = tmp.write(name, text);
      for (const command of ['validate', 'plan', 'run']) {
        const r = await runCli([command, '-c', path]);
        assertOnlyAllowedText(r, [secret, 'k'.repeat(65)]);
      }
    });
  }

  test('the escaped key paths name where the problem is', async () => {
    const r = await runCli([
      'validate',
      '-c',
      tmp.write(
        'where.json',
        JSON.stringify({
          version: 1,
          ['k'.repeat(2048)]: 1,
          processes: [{ name: 'a', run: ['x'] }],
        }),
      ),
    ]);
    assert.ok(
      r.stderr.includes(`["${'k'.repeat(64)}...(2048 chars)"]: unknown key (not in the schema)`),
      r.stderr,
    );
  });
});
