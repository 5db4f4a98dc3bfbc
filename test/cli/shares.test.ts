// `teeinit shares split` and `combine` through the built CLI: the files (modes, never
// overwritten), the round trip, what a client gets, every refusal with its code and exit
// code, and no secret or share in anything printed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { keyIdOf } from '../../src/keys/index.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { removeDir, tmpfsDir } from '../helpers/temp.js';
import { runCli, stopStrayClis, type CliResult } from './cli-helpers.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('teeinit shares', { timeout: 120_000 }, () => {
  const work = tmpfsDir('teeinit-shares-').path;
  // Every share line and secret the tests made, for the leak scan of every output.
  const secrets: string[] = [];
  const outputs: string[] = [];
  after(async () => {
    await stopStrayClis();
    removeDir(work);
  });
  const cli = async (args: readonly string[]): Promise<CliResult> => {
    const r = await runCli(['shares', ...args]);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  let n = 0;
  const fresh = (): string => join(work, `case-${++n}`);
  const split = async (t: number, total: number, extra: string[] = []): Promise<string[]> => {
    const dir = fresh();
    const r = await cli([
      'split',
      '--threshold',
      String(t),
      '--shares',
      String(total),
      '--out',
      dir,
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const files = Array.from({ length: total }, (_, i) => join(dir, `share-${i + 1}-of-${total}`));
    for (const f of files) secrets.push(readFileSync(f, 'latin1').trim());
    return files;
  };
  const fails = (r: CliResult, exit: number, code: string, fragment?: RegExp): void => {
    assert.equal(r.code, exit, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^teeinit: ${code}: `));
    if (fragment) assert.match(r.stderr, fragment);
    assert.equal(r.stdout, '');
  };

  test('split writes N new 0600 files in a 0700 directory and prints the key id, never a share', async () => {
    const dir = fresh();
    const r = await cli(['split', '--threshold', '2', '--shares', '3', '--out', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(mode(dir), 0o700);
    assert.deepEqual(readdirSync(dir).sort(), ['share-1-of-3', 'share-2-of-3', 'share-3-of-3']);
    const lines = readdirSync(dir).map((f) => {
      assert.equal(mode(join(dir, f)), 0o600, f);
      return readFileSync(join(dir, f), 'latin1');
    });
    secrets.push(...lines.map((l) => l.trim()));
    const keyId = /^key id: ([0-9a-f]{16})$/m.exec(r.stdout)?.[1];
    assert.ok(keyId, r.stdout);
    for (const line of lines) {
      assert.match(line, new RegExp(`^teeinit-share-v1:2:3:${keyId}:\\d{1,3}:[0-9a-f]{64}\\n$`));
    }
    assert.match(r.stdout, /any 2 of them recover it/);
    assert.match(
      r.stdout,
      /gcloud secrets versions add SECRET --project PROJECT --data-file share-1-of-3/,
    );
    for (const f of readdirSync(dir)) assert.ok(r.stdout.includes(join(dir, f)));
    assertNoSecrets(
      r.stdout + r.stderr,
      lines.map((l) => l.split(':').at(-1)!.trim()),
      'split output',
    );
  });

  test('combine: every pair and all three recombine to one key id', async () => {
    const files = await split(2, 3);
    const ids = new Set<string>();
    for (const set of [
      [0, 1],
      [0, 2],
      [1, 2],
      [0, 1, 2],
    ]) {
      const r = await cli(['combine', ...set.map((i) => files[i]!)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `^shares consistent: ${set.length} given, any 2 of the 3 written recover the secret$`,
          'm',
        ),
      );
      assert.match(r.stdout, /^secret: 32 bytes$/m);
      ids.add(/^key id: ([0-9a-f]{16})$/m.exec(r.stdout)?.[1] ?? '');
    }
    assert.equal(ids.size, 1);
  });

  test('split --secret-file splits that secret; combine --write-secret gives it back, 0600', async () => {
    const secret = randomBytes(32);
    secrets.push(secret.toString('hex'));
    const input = join(work, 'given.hex');
    writeFileSync(input, secret.toString('hex') + '\n', { mode: 0o600 });
    const files = await split(3, 5, ['--secret-file', input]);
    const out = join(work, 'back.bin');
    const r = await cli(['combine', files[4]!, files[0]!, files[2]!, '--write-secret', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^key id: ${keyIdOf(secret)}$`, 'm'));
    assert.ok(readFileSync(out).equals(secret));
    assert.equal(mode(out), 0o600);
    // Never over an existing file.
    const again = await cli(['combine', files[1]!, files[3]!, files[2]!, '--write-secret', out]);
    fails(again, 73, 'TEEINIT_SHARES_OUTPUT', /never overwrites/);
    assert.ok(readFileSync(out).equals(secret));
  });

  test('split never writes over a share file, and writes nothing then', async () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'share-2-of-3'), 'keep me');
    const r = await cli(['split', '--threshold', '2', '--shares', '3', '--out', dir]);
    fails(
      r,
      73,
      'TEEINIT_SHARES_OUTPUT',
      /share-2-of-3 exists, and teeinit never overwrites a share file/,
    );
    assert.deepEqual(readdirSync(dir), ['share-2-of-3']);
    assert.equal(readFileSync(join(dir, 'share-2-of-3'), 'utf8'), 'keep me');
  });

  test('--print-secret alone puts the secret on stdout (the report on stderr)', async () => {
    const files = await split(2, 2);
    const r = await cli(['combine', files[0]!, files[1]!, '--print-secret']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
    assert.match(r.stderr, /^shares consistent/);
    secrets.push(r.stdout.trim());
    // Remove it from the outputs the final scan reads: it was asked for by name.
    outputs.splice(outputs.length - 2, 1);
  });

  // [what, build the files, extra args, exit, code, message]
  const refusals: [string, () => Promise<string[]>, string[], number, string, RegExp][] = [
    [
      'one share of a 2-of-3 split',
      async () => (await split(2, 3)).slice(0, 1),
      [],
      69,
      'TEEINIT_THRESHOLD_NOT_MET',
      /1 share file given; any 2 of the 3 shares of this split are needed/,
    ],
    [
      'shares of two splits',
      async () => [(await split(2, 3))[0]!, (await split(2, 3))[1]!],
      [],
      65,
      'TEEINIT_SHARES_INCONSISTENT',
      /come from 2 different splits/,
    ],
    [
      'shares of splits with another t or n',
      async () => [(await split(2, 3))[0]!, (await split(2, 4))[1]!],
      [],
      65,
      'TEEINIT_SHARES_INCONSISTENT',
      /was split for any 2 of 4 shares, but .* for any 2 of 3/,
    ],
    [
      'an altered share among three',
      async () => {
        const files = await split(2, 3);
        const text = readFileSync(files[1]!, 'latin1');
        const last = text.trim().at(-1) === '0' ? '1' : '0';
        writeFileSync(files[1]!, text.trim().slice(0, -1) + last + '\n');
        return files;
      },
      [],
      65,
      'TEEINIT_SHARES_INCONSISTENT',
      /2 of the 3 share files recombine .* share file ".*share-2-of-3" carries key id \w+ but does not recombine/,
    ],
    [
      'a copy of a share under another name',
      async () => {
        const files = await split(2, 3);
        const copy = join(work, `copy-${++n}`);
        writeFileSync(copy, readFileSync(files[0]!));
        return [files[0]!, copy];
      },
      [],
      65,
      'TEEINIT_SHARES_INCONSISTENT',
      /same x coordinate .* and the same value/,
    ],
    [
      'a malformed share',
      async () => {
        const files = await split(2, 3);
        writeFileSync(files[0]!, 'teeinit-share-v1:2:3:nothex\n');
        return files;
      },
      [],
      65,
      'TEEINIT_SHARE_INVALID',
      /Share file ".*share-1-of-3" has 3 fields/,
    ],
    [
      'a plain hex share',
      async () => {
        const path = join(work, `plain-${++n}`);
        writeFileSync(path, randomBytes(32).toString('hex'));
        return [path, (await split(2, 3))[0]!];
      },
      [],
      65,
      'TEEINIT_SHARE_INVALID',
      /is a plain share \(hex\), not a threshold share/,
    ],
    [
      'a missing file',
      async () => [join(work, 'nope'), (await split(2, 3))[0]!],
      [],
      66,
      'TEEINIT_SHARES_INPUT',
      /Cannot read share file ".*nope"/,
    ],
    [
      'a directory',
      async () => [work, work + '/'],
      [],
      66,
      'TEEINIT_SHARES_INPUT',
      /not a regular file/,
    ],
    [
      'a secret file that is too short',
      async () => {
        const path = join(work, `short-${++n}`);
        writeFileSync(path, 'abcd');
        return [
          'split',
          '--threshold',
          '2',
          '--shares',
          '2',
          '--out',
          fresh(),
          '--secret-file',
          path,
        ];
      },
      [],
      66,
      'TEEINIT_SHARES_INPUT',
      /holds 2 bytes; a secret to split has 16 to 64/,
    ],
  ];
  for (const [what, build, extra, exit, code, message] of refusals) {
    test(`refuses: ${what}`, async () => {
      const files = await build();
      const args = files[0] === 'split' ? files : ['combine', ...files, ...extra];
      const r = await cli(args);
      fails(r, exit, code, message);
    });
  }

  const usage: [string, string[], RegExp][] = [
    ['no subcommand', [], /missing subcommand/],
    ['unknown subcommand', ['merge'], /unknown subcommand "merge" for shares/],
    [
      'split without --out',
      ['split', '--threshold', '2', '--shares', '3'],
      /needs --threshold T, --shares N and --out DIR/,
    ],
    [
      'threshold 1',
      ['split', '--threshold', '1', '--shares', '3', '--out', 'x'],
      /--threshold expects a whole number from 2 to 255, got "1"/,
    ],
    [
      'threshold above shares',
      ['split', '--threshold', '4', '--shares', '3', '--out', 'x'],
      /--threshold 4 exceeds --shares 3/,
    ],
    [
      '256 shares',
      ['split', '--threshold', '2', '--shares', '256', '--out', 'x'],
      /--shares expects a whole number from 2 to 255/,
    ],
    [
      'threshold not decimal',
      ['split', '--threshold', '0x2', '--shares', '3', '--out', 'x'],
      /--threshold expects/,
    ],
    [
      'an option twice',
      ['split', '--threshold', '2', '--threshold', '3', '--shares', '3', '--out', 'x'],
      /option --threshold is given more than once/,
    ],
    [
      'a combine option to split',
      ['split', '--threshold', '2', '--shares', '3', '--out', 'x', '--print-secret'],
      /option --print-secret is not accepted by shares split/,
    ],
    [
      'a split option to combine',
      ['combine', 'a', 'b', '--out', 'x'],
      /option --out is not accepted by shares combine/,
    ],
    [
      'a file to split',
      ['split', '--threshold', '2', '--shares', '3', '--out', 'x', 'extra'],
      /unexpected argument "extra" for shares split/,
    ],
    ['combine without files', ['combine'], /needs the share files/],
    ['the same file twice', ['combine', 'a', 'a'], /share file "a" is given twice/],
    [
      '--info without --write-psk',
      ['combine', 'a', 'b', '--info', 'x'],
      /describe the PSK of --write-psk FILE/,
    ],
    [
      '--write-psk without --info',
      ['combine', 'a', 'b', '--write-psk', 'p'],
      /--write-psk needs --info TEXT/,
    ],
    [
      'a PSK length out of range',
      ['combine', 'a', 'b', '--write-psk', 'p', '--info', 'i', '--length', '8'],
      /--length expects a whole number from 16 to 64/,
    ],
    ['arguments after --', ['combine', 'a', '--', 'b'], /"--" is not accepted by shares/],
  ];
  for (const [what, args, message] of usage) {
    test(`usage: ${what}`, async () => fails(await cli(args), 64, 'TEEINIT_USAGE', message));
  }

  test('help: teeinit shares --help and teeinit --help shares, with an example', async () => {
    for (const args of [
      ['shares', '--help'],
      ['--help', 'shares'],
      ['shares', 'combine', '-h'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: teeinit shares split --threshold T --shares N --out DIR/);
      assert.match(r.stdout, /teeinit shares split --threshold 2 --shares 3 --out /);
    }
    const overview = await runCli(['--help']);
    assert.match(overview.stdout, /^ {2}shares {5}the dealer's ceremony/m);
  });

  test('nothing printed holds a share or a secret', () => {
    assert.ok(secrets.length > 10);
    const needles = secrets.map((s) => s.split(':').at(-1)!);
    assertNoSecrets(outputs, needles, 'the output of teeinit shares');
    assert.ok(!existsSync(join(work, 'x')), 'no usage error wrote anything');
  });
});
