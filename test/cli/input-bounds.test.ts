// The files a command reads are read with a bound, whatever they are: a device that never
// ends (/dev/zero) named as --token, --policy, --root, --jwks, a policy's pki.rootFile or
// oidc.jwksFile, or -c, is refused with the documented exit code and a line naming the path,
// instead of filling memory until Node aborts. Each run is capped at 2 GB of address space,
// so that a read without a bound fails fast here instead of taking the machine's memory.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runArgv } from '../../src/preflight/index.js';
import { tempDir } from '../helpers/temp.js';
import { MAIN } from './cli-helpers.js';

const T = { timeout: 60_000 };
const DIGEST = `sha256:${'7c'.repeat(32)}`;
/** A compact JWT in shape only: the files are read before any signature is checked. */
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhIn0.c2ln\n';

function runCapped(args: readonly string[]): { code: number | null; stderr: string } {
  const r = spawnSync(
    '/bin/sh',
    ['-c', 'ulimit -v 2000000; exec "$0" "$@"', process.execPath, ...runArgv(MAIN, args)],
    { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 45_000, killSignal: 'SIGKILL' },
  );
  return { code: r.status, stderr: r.stderr };
}

describe('cli: unbounded input files', { timeout: 240_000 }, () => {
  const tmp = tempDir('teeinit-bounds-');
  after(() => tmp.remove());
  const token = tmp.write('token.jwt', TOKEN);
  const policy = (extra: Record<string, unknown> = {}): string =>
    tmp.write(
      `policy-${Object.keys(extra).join('-') || 'plain'}.json`,
      JSON.stringify({ audience: 'a', imageDigests: [DIGEST], ...extra }),
    );

  const cases: [string, string[], number, RegExp][] = [
    [
      'attest verify --token',
      ['attest', 'verify', '--token', '/dev/zero', '--policy', policy()],
      66,
      /TEEINIT_ATTEST_INPUT.*\/dev\/zero.*larger than 65536 bytes/,
    ],
    [
      'attest verify --policy',
      ['attest', 'verify', '--token', token, '--policy', '/dev/zero'],
      66,
      /TEEINIT_ATTEST_INPUT.*policy file \/dev\/zero: larger than/,
    ],
    [
      'attest verify --root',
      ['attest', 'verify', '--token', token, '--policy', policy(), '--root', '/dev/zero'],
      66,
      /TEEINIT_ATTEST_INPUT.*\/dev\/zero/,
    ],
    [
      'attest verify --jwks',
      ['attest', 'verify', '--token', token, '--policy', policy(), '--jwks', '/dev/zero'],
      66,
      /TEEINIT_ATTEST_INPUT.*\/dev\/zero/,
    ],
    [
      'attest verify, pki.rootFile',
      [
        'attest',
        'verify',
        '--token',
        token,
        '--policy',
        policy({ pki: { rootFile: '/dev/zero' } }),
      ],
      66,
      /TEEINIT_ATTEST_INPUT.*\/dev\/zero/,
    ],
    [
      'attest verify, oidc.jwksFile',
      [
        'attest',
        'verify',
        '--token',
        token,
        '--policy',
        policy({ oidc: { jwksFile: '/dev/zero' } }),
      ],
      66,
      /TEEINIT_ATTEST_INPUT.*\/dev\/zero/,
    ],
    [
      'validate -c',
      ['validate', '-c', '/dev/zero'],
      78,
      /TEEINIT_CONFIG_PARSE.*\/dev\/zero is larger than 1048576 bytes/,
    ],
  ];
  for (const [name, args, code, line] of cases) {
    test(`input-bounds: ${name} /dev/zero is refused (exit ${code})`, T, () => {
      const r = runCapped(args);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr.split('\n')[0] ?? '', line);
    });
  }
});
