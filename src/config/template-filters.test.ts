/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- tests mutate untyped config trees */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { loadConfigTree } from './load.js';
import { baseTree } from './test-fixtures.js';

// An operator override is known at load time: raw in a config template, it must hold no
// control character; in argv it may (the process receives it whole).
describe('template rule for operator overrides, at load time', { timeout: 10_000 }, () => {
  const load = (use: (t: Record<string, any>) => void) => {
    const t = baseTree();
    t.overrides = { env: { NOTE: { pattern: '[\\s\\S]{1,64}' } } };
    use(t);
    return loadConfigTree(t, { env: { NOTE: 'one\ntwo' } });
  };

  test('raw in a config template: refused, naming where and the variable', () => {
    assert.throws(
      () => load((t) => (t.templates = { 'app.conf': { content: 'note {{ env NOTE }}\n' } })),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_TEMPLATE_VALUE_UNSAFE' &&
        e.message.startsWith('templates["app.conf"].content: {{ env NOTE }}: override NOTE') &&
        !e.message.includes('one'),
    );
  });

  test('with a filter, or in argv: accepted', () => {
    load((t) => (t.templates = { 'app.conf': { content: 'note {{ env NOTE | json }}\n' } }));
    load((t) => t.processes[0].run.push('--note={{ env NOTE }}'));
  });

  test('an unknown filter is a template error at load', () => {
    assert.throws(
      () => load((t) => t.processes[0].run.push('{{ file ca | yaml }}')),
      /processes\[0\]\.run\[5\]: template has an unknown filter; expected \| base64, \| hex, \| json, \| pem/,
    );
  });
});
