/* eslint-disable @typescript-eslint/no-unsafe-call -- tests mutate an untyped config tree */
// planFiles on a loaded config: every used file (from the loader's completed entries), in
// write order, with declared names and modes or the defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigTree } from '../config/load.js';
import { baseTree } from '../config/test-fixtures.js';
import { planFiles } from './file-plan.js';

test('plans every used file: TLS key, certificate, others, templates', { timeout: 5000 }, () => {
  const tree = baseTree();
  tree.templates = { conf: { content: 'ca {{ file ca }}\n' } };
  tree.processes[0].run.push('{{ file session-psk }}', '{{ file conf }}');
  tree.files.entries['session-psk'] = { name: 'psk.hex', encoding: 'hex' };
  const plan = planFiles(loadConfigTree(tree).config);
  assert.deepEqual(
    plan.map((f) => [f.from, f.kind, f.fileName, f.mode.toString(8), f.encoding]),
    [
      ['server-key', 'secret', 'server.key', '600', 'raw'],
      ['server-cert', 'secret', 'server-cert', '400', 'raw'],
      ['ca', 'secret', 'ca', '400', 'raw'],
      ['session-psk', 'key', 'psk.hex', '400', 'hex'],
      ['conf', 'template', 'conf', '400', 'raw'],
    ],
  );
});
