import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TeeinitError, type ErrorCode } from '../errors/index.js';
import { loadConfig } from './load.js';
import { baseTree } from './test-fixtures.js';

describe('loadConfig', { timeout: 10_000 }, () => {
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'teeinit-load-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const fails = (path: string, code: ErrorCode, fragment: string): void => {
    assert.throws(
      () => loadConfig(path),
      (e: unknown) => e instanceof TeeinitError && e.code === code && e.message.includes(fragment),
    );
  };

  test('YAML and JSON of the same tree load to the same hash, whatever the key order', () => {
    const tree = baseTree();
    const a = loadConfig(write('a.yaml', stringify(tree)));
    const reversed = Object.fromEntries(Object.entries(tree).reverse());
    const b = loadConfig(write('b.json', JSON.stringify(reversed)));
    const c = loadConfig(write('c.conf', JSON.stringify(tree, null, 2)));
    assert.equal(a.hash, b.hash);
    assert.equal(a.hash, c.hash);
  });

  test('relative paths resolve against the config file directory', () => {
    const tree = baseTree();
    tree.templates = { conf: { source: 'conf.tmpl' } };
    write('conf.tmpl', 'cert {{ file server-cert }}\n');
    const { config } = loadConfig(write('rel.yaml', stringify(tree)));
    assert.equal(config.templates.conf?.source, join(dir, 'conf.tmpl'));
  });

  test('each template source is read once, while its references are still all checked', () => {
    const tree = baseTree();
    tree.templates = {
      conf: { source: 'once.tmpl' },
      other: { content: 'see {{ file conf }}' },
    };
    const source = write('once.tmpl', 'cert {{ file server-cert }} ca {{ file ca }}\n');
    const path = write('once.yaml', stringify(tree));
    // A spy on node:fs (synced into the ESM named exports), counting reads of the source.
    const spy = mock.method(fs, 'readFileSync');
    syncBuiltinESMExports();
    let loaded;
    try {
      loaded = loadConfig(path);
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
    const reads = spy.mock.calls.filter((c) => c.arguments[0] === source).length;
    assert.equal(reads, 1, 'template source reads during loadConfig');
    assert.deepEqual(Object.keys(loaded.config.files.entries).sort(), [
      'ca',
      'conf',
      'other',
      'server-cert',
      'server-key',
    ]);
  });

  test('missing file', () => fails(join(dir, 'nope.yaml'), 'TEEINIT_CONFIG_NOT_FOUND', 'ENOENT'));
  test('YAML syntax error has line and column', () =>
    fails(
      write('bad.yaml', 'version: 1\nprocesses:\n  - name: a\n   run: [x]\n'),
      'TEEINIT_CONFIG_PARSE',
      'bad.yaml:4:',
    ));
  test('duplicate YAML keys', () =>
    fails(
      write('dup.yaml', 'version: 1\nversion: 1\n'),
      'TEEINIT_CONFIG_PARSE',
      'dup.yaml:2:1: invalid YAML: duplicate key',
    ));
  test('YAML errors do not echo content: an unresolved alias, a tag', () => {
    for (const [name, text] of [
      ['alias.yaml', 'version: 1\nfoo: *s3cr3tAlias\n'],
      ['tag.yaml', 'version: 1\nfoo: !s3cr3tTag [\n'],
    ] as const) {
      assert.throws(
        () => loadConfig(write(name, text)),
        (e: unknown) =>
          e instanceof TeeinitError &&
          e.code === 'TEEINIT_CONFIG_PARSE' &&
          e.message.startsWith(join(dir, name)) &&
          !e.message.includes('s3cr3t'),
      );
    }
  });
  test('JSON syntax error does not echo content', () => {
    const p = write('bad.json', '{"version": 1, "processes": [ "s3cr3t-looking" ');
    assert.throws(
      () => loadConfig(p),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_CONFIG_PARSE' &&
        !e.message.includes('s3cr3t'),
    );
  });
  test('a YAML alias bomb is refused', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    fails(write('bomb.yaml', lines.join('\n') + '\n'), 'TEEINIT_CONFIG_PARSE', 'invalid YAML');
  });
});
