// docs/configuration.md documents every key of the published JSON Schema
// (schema/teeinit.schema.json) with a table row or heading (see config-doc.ts for the
// convention) and shows every key in a ```yaml example; the examples use no key the schema
// rejects, and the complete ones load.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { configSchema, loadConfigTree } from '../../src/config/index.js';
import {
  describeSection,
  docSections,
  documentedAt,
  nearestSection,
  whereToAdd,
} from './config-doc.js';
import { fences } from './markdown.js';
import { exampleKeys, keyPaths, type SchemaNode } from './schema-paths.js';

// dist/test/docs/ → repository root.
const ROOT = new URL('../../../', import.meta.url);
const DOC = 'docs/configuration.md';
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

const schema = JSON.parse(read('schema/teeinit.schema.json')) as SchemaNode;
const keys = keyPaths(schema);

// `proxies[].limits.idleTimeout` → `proxies: [{ limits: { idleTimeout: … } }]`.
function skeleton(path: string): string {
  const [head, ...rest] = path.split('.');
  const inner = rest.length === 0 ? '…' : `{ ${skeleton(rest.join('.'))} }`;
  return head!.endsWith('[]') ? `${head!.slice(0, -2)}: [${inner}]` : `${head}: ${inner}`;
}

// The value at a zod issue path, or undefined when the example does not write it.
function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = tree;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

// Keys the doc misses, one line each: the key and where its row goes.
function undocumented(text: string): string[] {
  const sections = docSections(text);
  return keys
    .filter((k) => documentedAt(sections, k) === undefined)
    .map((k) => `  ${k.path}: ${whereToAdd(sections, k)}`);
}

// Every ```yaml block, parsed; a block that is not YAML fails with its line.
function yamlExamples(text: string): { line: number; value: unknown }[] {
  return fences(text)
    .filter((f) => f.info === 'yaml')
    .map((f) => {
      try {
        return { line: f.line, value: parse(f.body) as unknown };
      } catch (cause) {
        throw new Error(`${DOC}:${f.line}: the yaml example does not parse`, { cause });
      }
    });
}

describe('docs/configuration.md covers schema/teeinit.schema.json', { timeout: 10_000 }, () => {
  const text = read(DOC);

  test('the schema walk finds the keys (sanity)', { timeout: 5_000 }, () => {
    const paths = keys.map((k) => k.path);
    for (const p of ['version', 'collaborators.NAME.provider', 'proxies[].limits.maxLifetime']) {
      assert.ok(paths.includes(p), p);
    }
    assert.ok(paths.length > 100, `only ${paths.length} key paths`);
  });

  test('every key has a table row or heading', { timeout: 5_000 }, () => {
    const missing = undocumented(text);
    assert.equal(
      missing.length,
      0,
      `${missing.length} key(s) of schema/teeinit.schema.json are not documented in ${DOC}:\n` +
        missing.join('\n'),
    );
  });

  test('every key appears in a yaml example', { timeout: 5_000 }, () => {
    const shown = new Set<string>();
    for (const ex of yamlExamples(text))
      exampleKeys(schema, ex.value).shown.forEach((p) => shown.add(p));
    const sections = docSections(text);
    const missing = keys
      .filter((k) => !k.container && !shown.has(k.path))
      .map((k) => {
        const s = nearestSection(sections, k);
        return `  ${k.path}: add \`${skeleton(k.path)}\` to a yaml example under ${describeSection(s)}`;
      });
    assert.equal(
      missing.length,
      0,
      `${missing.length} key(s) have no example in ${DOC} (examples are written from the ` +
        `top level of the config):\n${missing.join('\n')}`,
    );
  });

  test('yaml examples use only keys the schema knows', { timeout: 5_000 }, () => {
    const bad = yamlExamples(text).flatMap((ex) =>
      exampleKeys(schema, ex.value).unknown.map((p) => `  ${DOC}:${ex.line}: ${p}`),
    );
    assert.deepEqual(bad, [], `unknown keys in examples:\n${bad.join('\n')}`);
  });

  test('yaml examples hold values the schema accepts', { timeout: 5_000 }, () => {
    // Fragments lack required keys (a `limits` example has no `mode`): only issues about a
    // value the example does write count.
    const bad = yamlExamples(text).flatMap((ex) => {
      const input = { version: 1, ...(ex.value as object) };
      const result = configSchema.safeParse(input);
      if (result.success) return [];
      return result.error.issues
        .filter((i) => valueAt(input, i.path) !== undefined)
        .map((i) => `  ${DOC}:${ex.line}: ${i.path.join('.')}: ${i.message}`);
    });
    assert.deepEqual(bad, [], `invalid values in examples:\n${bad.join('\n')}`);
  });

  test('complete examples (with `version`) load', { timeout: 5_000 }, () => {
    const complete = yamlExamples(text).filter(
      (ex) => typeof ex.value === 'object' && ex.value !== null && 'version' in ex.value,
    );
    assert.ok(complete.length > 0, 'the doc has a complete example');
    for (const ex of complete) {
      assert.doesNotThrow(() => loadConfigTree(ex.value, { baseDir: '/' }), `${DOC}:${ex.line}`);
    }
  });
});

describe('the coverage check itself', { timeout: 10_000 }, () => {
  test('a missing row is reported with the key and its section', { timeout: 5_000 }, () => {
    const text = read(DOC);
    const row = /^\| `handshakeTimeout` .*\n/m;
    assert.match(text, row, 'the doc documents proxies[].limits.handshakeTimeout in a row');
    const missing = undocumented(text.replace(row, ''));
    assert.equal(missing.length, 1, missing.join('\n'));
    assert.match(missing[0]!, /^ {2}proxies\[\]\.limits\.handshakeTimeout: add a table row/);
    assert.match(
      missing[0]!,
      /first cell is `handshakeTimeout` under the heading "`proxies\[\]\.limits`"/,
    );
  });

  test('a row outside its section does not count', { timeout: 5_000 }, () => {
    const doc = '### `proxies[]`\n| key |\n| --- |\n| `name` |\n\n## Other\n| `mode` |\n';
    const sections = docSections(doc);
    const at = (path: string) =>
      documentedAt(
        sections,
        keys.find((k) => k.path === path)!,
      );
    assert.equal(at('proxies[].name'), 4);
    assert.equal(at('proxies[].mode'), undefined);
    assert.equal(at('proxies[]'), 1);
  });
});
