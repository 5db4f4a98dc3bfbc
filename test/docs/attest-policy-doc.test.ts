// docs/attested-channel.md documents every key of the attestation policy schema with a row
// of its Policy table, and its YAML examples are valid policies.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { parsePolicy } from '../../src/attest/load-policy.js';
import { attestPolicySchema } from '../../src/config/schema/attest.js';
import { fences, tableCells } from './markdown.js';
import { keyPaths, type SchemaNode } from './schema-paths.js';

const ROOT = new URL('../../../', import.meta.url);
const doc = readFileSync(new URL('docs/attested-channel.md', ROOT), 'utf8');
const policySection = doc.slice(doc.indexOf('\n## Policy\n'), doc.indexOf('\n## Reasons\n'));

test('every policy key has a row in the Policy table', () => {
  const schema = z.toJSONSchema(attestPolicySchema, { io: 'input' }) as SchemaNode;
  const rows = new Set(
    policySection
      .split('\n')
      .map((line) => tableCells(line)?.[0] ?? '')
      .map((cell) => /^`([^`]+)`$/.exec(cell)?.[1])
      .filter((k): k is string => k !== undefined),
  );
  const missing = keyPaths(schema)
    .filter((k) => !k.container)
    .map((k) => k.path)
    .filter((path) => !rows.has(path));
  assert.deepEqual(missing, [], 'keys without a row in docs/attested-channel.md#policy');
});

test('the YAML examples of the Policy section are valid policies', () => {
  const examples = fences(policySection).filter((f) => f.info === 'yaml');
  assert.ok(examples.length > 0);
  for (const f of examples) parsePolicy(parse(f.body), '/');
});
