// Table-driven tests of the emulator's CEL subset: the exact Confidential Space mapping and
// condition Google documents, the functions and macros collaborators' policies use, CEL's
// error absorption, and syntax errors with their offsets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CelError, compileCel, evaluateCondition, toCelValue, type CelValue } from './index.js';

const KEY = 'projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1';
const assertion = toCelValue({
  swname: 'CONFIDENTIAL_SPACE',
  dbgstat: 'disabled-since-boot',
  google_service_accounts: ['wl@op.iam.gserviceaccount.com'],
  submods: {
    container: {
      image_reference: 'us-docker.pkg.dev/alice-proj/repo/app@sha256:abc',
      image_digest: 'sha256:abc',
      env_override: null,
      env: { FOO: 'bar' },
      image_signatures: [
        { key_id: 'other', signature: 'c2ln', signature_algorithm: 'RSASSA_PSS_SHA256' },
        { key_id: KEY, signature: 'c2ln', signature_algorithm: 'ECDSA_P256_SHA256' },
      ],
    },
    gce: { project_number: '333', instance_id: '42' },
    confidential_space: { support_attributes: ['LATEST', 'STABLE', 'USABLE'] },
  },
  count: 3,
});
const vars = { assertion };
const c = 'assertion.submods.container';

const cases: [string, CelValue][] = [
  ["assertion.swname == 'CONFIDENTIAL_SPACE'", true],
  ["assertion.swname != 'CONFIDENTIAL_SPACE'", false],
  ["'STABLE' in assertion.submods.confidential_space.support_attributes", true],
  ["'EXPERIMENTAL' in assertion.submods.confidential_space.support_attributes", false],
  ["!('STABLE' in assertion.submods.confidential_space.support_attributes)", false],
  ['"wl@op.iam.gserviceaccount.com" in assertion.google_service_accounts', true],
  ["assertion.swname == 'X' || assertion.dbgstat == 'disabled-since-boot'", true],
  ["(assertion.swname == 'X' || true) && !false", true],
  ['assertion.count == 3 && assertion.count + 1 == 4 && assertion.count > 2', true],
  ["'container' in assertion.submods", true],
  [`${c}.env_override == null`, true],
  ["[1, 'a', true] == [1, 'a', true]", true],
  ["assertion.submods['gce'].instance_id", '42'],
  ['assertion.google_service_accounts[0]', 'wl@op.iam.gserviceaccount.com'],
  [
    '"gcpcs::"+assertion.submods.container.image_digest+"::"+assertion.submods.gce.project_number+"::"+assertion.submods.gce.instance_id',
    'gcpcs::sha256:abc::333::42',
  ],
  ["'it\\'s' + \"\"", "it's"],
  // A missing field on the deciding side is absorbed, as in CEL.
  ["assertion.nope == 'x' || true", true],
  ["false && assertion.nope == 'x'", false],
  // size(), global and receiver style; strings count code points.
  ['size(assertion.google_service_accounts) > 0', true],
  ['assertion.google_service_accounts.size()', 1],
  ["size('héllo') + size(assertion.submods) + size([])", 8],
  // has(): presence, no error when the last key is missing; a null value is present.
  [`has(${c}.env.FOO) && !has(${c}.env.BAR)`, true],
  [`has(${c}.env_override) && !has(assertion.nope)`, true],
  // String tests.
  [`${c}.image_reference.startsWith('us-docker.pkg.dev/alice-proj/')`, true],
  [`${c}.image_reference.startsWith('us-docker.pkg.dev/bob-proj/')`, false],
  [`${c}.image_digest.endsWith(':abc') && ${c}.image_reference.contains('/repo/')`, true],
  [`${c}.image_reference.matches(r'^us-docker\\.pkg\\.dev/[a-z-]+/repo/')`, true],
  [`matches(${c}.image_digest, '^sha256:[0-9a-f]{64}$')`, false],
  ["'ABC'.matches('(?i)^abc$') && 'x-y'.matches('^(?P<a>x)\\\\Q-\\\\Ey$')", true],
  ["']'.matches('[]a]') && 'a.b'.matches('\\\\Aa\\\\.b\\\\z')", true],
  // Macros over lists.
  [
    `${c}.image_signatures.exists(sig, sig.signature_algorithm == 'ECDSA_P256_SHA256' && sig.key_id == '${KEY}')`,
    true,
  ],
  [`${c}.image_signatures.exists(s, s.key_id == 'none')`, false],
  [`${c}.image_signatures.all(s, s.signature == 'c2ln')`, true],
  [`${c}.image_signatures.exists_one(s, s.signature == 'c2ln')`, false],
  [`${c}.image_signatures.exists_one(s, s.key_id == 'other')`, true],
  [`${c}.image_signatures.map(s, s.key_id)`, ['other', KEY]],
  [`${c}.image_signatures.filter(s, s.key_id != 'other').size()`, 1],
  ['[1, 2, 3].map(x, x > 1, x + 10)', [12, 13]],
  ['[].exists(x, x) || [].all(x, x)', true],
  // Macros over a map's keys; the iteration variable shadows outer names.
  ["assertion.submods.exists(k, k == 'gce')", true],
  ['assertion.submods.filter(k, k.size() > 3)', ['container', 'confidential_space']],
  ['[1, 2].all(x, [3].exists(x, x == 3)) && [1].map(assertion, assertion) == [1]', true],
  // Error absorption: an element that decides wins over another element's error.
  ["[1, 'a'].exists(x, x > 0)", true],
  ["['a', 1].all(x, x < 0)", false],
  ['assertion.nope.exists(x, true) || true', true],
  // Conditional: only the taken branch is evaluated; right-associative.
  ["assertion.dbgstat == 'disabled-since-boot' ? true : false", true],
  ['false ? 1 : true ? 2 : 3', 2],
  ['true ? 1 : assertion.nope', 1],
  // Conversions.
  ["int('42') + int('-7') + int(-3.7)", 32],
  ["string(42) + string(true) + string('x') + string(dyn(1.5))", '42truex1.5'],
];

const errors: [string, RegExp][] = [
  ['assertion.nope', /no such key: nope/],
  ["'STABLE' in assertion.nope.support_attributes", /no such key: nope/],
  ['unknown.x', /undeclared reference to 'unknown'/],
  ['assertion.swname + 1', /no such overload: string \+ int/],
  ["assertion.nope == 'x' && true", /no such key/],
  ['has(assertion.nope.x)', /no such key: nope/],
  ['has(assertion.swname.x)', /has\(\) does not support field selection on type 'string'/],
  ['assertion.swname.startsWith(1)', /no such overload: startsWith\(string, int\)/],
  ['size(1)', /no such overload: size\(int\)/],
  ["int('4x')", /int\(\) cannot parse '4x'/],
  ["int('9223372036854775808')", /int\(\) range error/],
  ['string(null)', /no such overload: string\(null_type\)/],
  ["['a', 1].exists(x, x > 5)", /no such overload: string > int/],
  ["[0, 'a'].all(x, x >= 0)", /no such overload: string >= int/],
  ["[1, 'a'].exists_one(x, x > 0)", /no such overload: string > int/],
  ["[1, 'a'].map(x, x + 1)", /no such overload: string \+ int/],
  ['[1].filter(x, x)', /no such overload: \.filter\(\) applied to int/],
  ['assertion.nope.exists(x, true)', /no such key: nope/],
  ['assertion.swname.exists(x, true)', /type 'string' cannot be the range/],
  ['1 ? 2 : 3', /no such overload: \?: applied to int/],
  ["'ab'.matches('(?<=a)b')", /lookaround assertions are not part of RE2/],
  ["'aa'.matches('(a)\\\\1')", /backreferences are not part of RE2/],
  ["'a'.matches('[[:alpha:]]')", /POSIX classes/],
  ["'a'.matches('(?U)a')", /flag 'U' is not supported/],
  ["'a'.matches('a(?i)b')", /inline flags are only supported at the start/],
  ["'a'.matches('(')", /invalid RE2 regular expression '\('/],
];

// Syntax errors surface at compile time (config load), with the offset of the problem.
const syntaxErrors: [string, RegExp][] = [
  ["assertion.swname == 'x' && )", /unexpected '\)' at offset 27/],
  ['assertion.swname ==', /unexpected 'end of expression' at offset 19/],
  ["assertion.swname == 'x", /unterminated string starting at offset 20/],
  ['(true', /expected '\)' at offset 5/],
  ['assertion.swname # 1', /unexpected character '#' at offset 17/],
  ['true ? 1', /expected ':' at offset 8/],
  ['foo(1)', /unknown function foo\(1 args\) at offset 0; supported: has, all/],
  ['size(assertion.google_service_accounts, 1)', /unknown function size\(2 args\) at offset 0/],
  ["'a'.startsWith()", /unknown function \.startsWith\(0 args\) at offset 4/],
  ["startsWith('a', 'b')", /unknown function startsWith\(2 args\) at offset 0/],
  ['has(assertion)', /invalid argument to has\(\) macro at offset 0/],
  ['[1].exists(1, true)', /\.exists\(\) at offset 4: argument 1 must be a simple name/],
  ['[1].exists(x)', /\.exists\(\) at offset 4 takes 2 arguments, got 1/],
  ['[1].map(x, x, x, x)', /\.map\(\) at offset 4 takes 2 or 3 arguments, got 4/],
];

describe('emulator CEL subset', () => {
  for (const [source, expected] of cases) {
    test(source, { timeout: 5000 }, () => {
      assert.deepEqual(compileCel(source).evaluate(vars), expected);
    });
  }

  for (const [source, pattern] of errors) {
    test(`error: ${source}`, { timeout: 5000 }, () => {
      const program = compileCel(source);
      assert.throws(
        () => program.evaluate(vars),
        (e: unknown) => e instanceof CelError && pattern.test(e.message),
      );
    });
  }

  for (const [source, pattern] of syntaxErrors) {
    test(`syntax error: ${source}`, { timeout: 5000 }, () => {
      assert.throws(
        () => compileCel(source),
        (e: unknown) => e instanceof CelError && pattern.test(e.message),
      );
    });
  }

  test('a condition must be a bool', { timeout: 5000 }, () => {
    assert.throws(
      () => evaluateCondition(compileCel('assertion.swname'), vars),
      /must evaluate to bool, got string/,
    );
    assert.equal(
      evaluateCondition(compileCel("assertion.swname == 'CONFIDENTIAL_SPACE'"), vars),
      true,
    );
  });
});
