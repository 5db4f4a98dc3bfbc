// The emulator's one zod issue formatter: key paths, expected values, given values only when
// harmless, and the messages the config, seed, fault and admin parsers build from it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { parseEmulatorConfig } from './config.js';
import { parseFaultRules } from './faults/rules.js';
import { parseSeedDocument } from './seed/apply.js';
import { describeFirstIssue, REPORT_INPUT } from './zod-issue.js';

const T = { timeout: 5_000 };

function firstIssue(schema: z.ZodType, input: unknown, prefix: PropertyKey[] = []): string {
  const r = schema.safeParse(input, REPORT_INPUT);
  assert.ok(!r.success);
  return describeFirstIssue(r.error, prefix);
}

describe('describeFirstIssue', () => {
  const schema = z.strictObject({
    route: z.enum(['a', 'b']),
    n: z.number().int().min(1),
    versions: z.array(z.strictObject({ data: z.string(), dataBase64: z.base64() })).optional(),
  });

  test('names the key path, the expected value and a harmless given value', T, () => {
    const cases: [unknown, PropertyKey[], string][] = [
      [{ route: 'x', n: 1 }, [], 'route: expected one of "a", "b", got "x"'],
      [{ route: 'a', n: 0 }, ['faults', 2], 'faults[2].n: expected a number >= 1, got 0'],
      [{ route: 'a', n: 1, bogus: 1 }, [], 'bogus: unknown key (not in the schema)'],
      ['text', [], 'expected object, got "text"'],
      [{ n: 'x' }, [], 'route: expected one of "a", "b", got nothing (and 1 more)'],
    ];
    for (const [input, prefix, expected] of cases) {
      assert.equal(firstIssue(schema, input, prefix), expected);
    }
  });

  test('never echoes a value under data / dataBase64, only its kind', T, () => {
    const message = firstIssue(schema, {
      route: 'a',
      n: 1,
      versions: [{ data: 424242, dataBase64: 'c2VjcmV0' }],
    });
    assert.equal(message, 'versions[0].data: expected string, got a number');
    const b64 = firstIssue(schema, {
      route: 'a',
      n: 1,
      versions: [{ data: 'x', dataBase64: 'pw!' }],
    });
    assert.match(b64, /^versions\[0\]\.dataBase64: .*, got a string$/);
    assert.doesNotMatch(b64, /pw!/);
  });
});

describe('emulator parsers report through it', () => {
  const rejects = (fn: () => unknown, message: RegExp): void => {
    assert.throws(fn, (e: Error & { code?: string }) => {
      assert.equal(e.code, 'TEEINIT_CONFIG_INVALID');
      assert.match(e.message, message);
      return true;
    });
  };

  test('seed documents: path and expected value, never the secret', T, () => {
    const doc = { secrets: [{ project: 'p', id: 'x', versions: [{ data: 987654 }] }] };
    rejects(
      () => parseSeedDocument(doc),
      /^Invalid seed document: secrets\[0\]\.versions\[0\]\.data: expected string, got a number$/,
    );
    assert.throws(
      () => parseSeedDocument(doc),
      (e: Error) => !e.message.includes('987654'),
    );
    rejects(
      () =>
        parseSeedDocument(
          { secrets: [{ project: 'p', id: 'x', versions: [{ dataFile: 'f' }] }] },
          { allowDataFile: false },
        ),
      /^Invalid seed document: secrets\[0\]\.versions\[0\]\.dataFile: not accepted here/,
    );
  });

  test('fault rules: the rule path as given (one rule, a list, {rules}, config)', T, () => {
    const bad = { route: 'nope', latencyMs: 1 };
    rejects(
      () => parseFaultRules(bad),
      /^Invalid fault rule: route: expected one of .*, got "nope"$/,
    );
    rejects(() => parseFaultRules([bad]), /^Invalid fault rule: \[0\]\.route: /);
    rejects(() => parseFaultRules({ rules: [bad] }), /^Invalid fault rule: rules\[0\]\.route: /);
    rejects(
      () => parseEmulatorConfig({ faults: [bad] }),
      /^Invalid fault rule: faults\[0\]\.route: /,
    );
    rejects(
      () => parseFaultRules({ route: '*', reset: true, corrupt: 'crc' }),
      /^Invalid fault rule: a rule has at most one of error, reset, corrupt, expiredToken$/,
    );
  });

  test('config file: key path, expected and given value', T, () => {
    rejects(
      () => parseEmulatorConfig({ projects: [{ id: 'p', number: 'abc' }] }),
      /^Emulator config: projects\[0\]\.number: expected up to 19 digits .*, got "abc"$/,
    );
    rejects(
      () => parseEmulatorConfig({ accessTokens: { lifetimeSeconds: 0 } }),
      /^Emulator config: accessTokens\.lifetimeSeconds: expected a number >= 1, got 0$/,
    );
  });
});
