import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configJsonSchemaText } from './json-schema.js';

// schema/teeinit.schema.json is generated; regenerate with scripts/gen-config-schema.mjs.
test('schema/teeinit.schema.json equals the schema generated from zod', { timeout: 10_000 }, () => {
  const committed: unknown = JSON.parse(
    readFileSync(new URL('../../../schema/teeinit.schema.json', import.meta.url), 'utf8'),
  );
  assert.deepEqual(
    committed,
    JSON.parse(configJsonSchemaText()),
    'run: npx tsc -p . && node scripts/gen-config-schema.mjs',
  );
});

test(
  'the JSON Schema describes the file format (strings for modes, defaults shown)',
  { timeout: 10_000 },
  () => {
    const schema = JSON.parse(configJsonSchemaText()) as {
      additionalProperties: boolean;
      properties: { files: { properties: { defaultMode: { type: string; default: string } } } };
    };
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.files.properties.defaultMode.type, 'string');
    assert.equal(schema.properties.files.properties.defaultMode.default, '0400');
  },
);
