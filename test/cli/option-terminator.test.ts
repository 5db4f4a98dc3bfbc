// `--` on the commands that never run as an image's entrypoint (attest verify,
// collaborators, shares) is a usage error, exit 64, as their --help lists; on run,
// validate, plan and version what follows it is an operator's tee-cmd and is refused with
// TEEINIT_OVERRIDE_REJECTED (exit 78). Either way before any file is read.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, stopStrayClis } from './cli-helpers.js';

const T = { timeout: 60_000 };
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const MISSING = '/nonexistent/teeinit-option-terminator';

describe('cli: arguments after --', { timeout: 240_000 }, () => {
  after(stopStrayClis);
  const cases: [string, string[], number, RegExp][] = [
    [
      'attest verify',
      ['attest', 'verify', '--token', MISSING, '--policy', MISSING, '--', 'x'],
      64,
      /^teeinit: TEEINIT_USAGE: "--" is not accepted by attest/,
    ],
    [
      'attest verify, nothing after',
      ['attest', 'verify', '--token', MISSING, '--policy', MISSING, '--'],
      64,
      /^teeinit: TEEINIT_USAGE: "--" is not accepted by attest/,
    ],
    [
      'collaborators',
      ['collaborators', '-c', MISSING, '--image-digest', DIGEST, '--', '-c', MISSING],
      64,
      /^teeinit: TEEINIT_USAGE: "--" is not accepted by collaborators/,
    ],
    [
      'shares combine',
      ['shares', 'combine', MISSING, '--', MISSING],
      64,
      /^teeinit: TEEINIT_USAGE: "--" is not accepted by shares/,
    ],
    [
      'validate',
      ['validate', '-c', MISSING, '--', '-c', MISSING],
      78,
      /^teeinit: TEEINIT_OVERRIDE_REJECTED: /,
    ],
  ];
  for (const [name, args, code, line] of cases) {
    test(`option-terminator: ${name} refuses -- (exit ${code})`, T, async () => {
      const r = await runCli(args);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr.split('\n')[0] ?? '', line);
    });
  }
});
