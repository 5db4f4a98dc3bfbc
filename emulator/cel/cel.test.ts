// Table-driven tests of the emulator's CEL subset, including the exact Confidential Space
// mapping and condition Google documents.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CelError, compileCel, evaluateCondition, toCelValue, type CelValue } from './index.js';

const assertion = toCelValue({
  swname: 'CONFIDENTIAL_SPACE',
  dbgstat: 'disabled-since-boot',
  google_service_accounts: ['wl@op.iam.gserviceaccount.com'],
  submods: {
    container: { image_digest: 'sha256:abc', env_override: null },
    gce: { project_number: '333', instance_id: '42' },
    confidential_space: { support_attributes: ['LATEST', 'STABLE', 'USABLE'] },
  },
  count: 3,
});
const vars = { assertion };

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
  ['assertion.submods.container.env_override == null', true],
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
];

describe('emulator CEL subset', () => {
  for (const [source, expected] of cases) {
    test(source, { timeout: 5000 }, () => {
      assert.deepEqual(compileCel(source).evaluate(vars), expected);
    });
  }

  const errors: [string, RegExp][] = [
    ['assertion.nope', /no such key: nope/],
    ["'STABLE' in assertion.nope.support_attributes", /no such key: nope/],
    ['unknown.x', /undeclared reference to 'unknown'/],
    ['assertion.swname + 1', /no such overload: string \+ int/],
    ['assertion.swname ==', /unexpected 'end of expression'/],
    ["assertion.swname == 'x", /unterminated string/],
    ['(true', /expected '\)'/],
    ['size(assertion.google_service_accounts)', /function calls are not supported/],
    ['assertion.swname # 1', /unexpected character '#'/],
    ["assertion.nope == 'x' && true", /no such key/],
  ];
  for (const [source, pattern] of errors) {
    test(`error: ${source}`, { timeout: 5000 }, () => {
      assert.throws(
        () => compileCel(source).evaluate(vars),
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
