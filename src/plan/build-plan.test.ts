/* eslint-disable @typescript-eslint/no-unsafe-call -- tests mutate an untyped config tree */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigTree } from '../config/load.js';
import { baseTree } from '../config/test-fixtures.js';
import { buildPlan } from './build-plan.js';
import { formatPlan } from './format-plan.js';

describe('plan', { timeout: 10_000 }, () => {
  const tree = baseTree();
  tree.secrets.ca.ref = 'projects/alice-proj/secrets/ca/versions/latest';
  tree.processes[0].allowValue = true;
  tree.processes[0].env = { TOKEN: '{{ value ca }}', PORT: '{{ env PORT }}' };
  tree.processes[0].run.push('--port={{ env PORT }}', '--pw={{ value ca }}');
  tree.overrides = { env: { PORT: { pattern: '[0-9]+', default: '6379' } } };
  tree.proxies[0].start = 'after-processes';
  const loaded = loadConfigTree(tree, { env: { PORT: '7000' } });
  const plan = buildPlan(loaded);

  test('argv shows file paths, value placeholders and resolved overrides', () => {
    assert.deepEqual(plan.processes[0]?.argv, [
      'server',
      '--cert',
      '/run/secrets/server-cert',
      '--key',
      '/run/secrets/server.key',
      '--port=7000',
      '--pw=<value of ca>',
    ]);
    assert.deepEqual(plan.processes[0]?.env, ['TOKEN', 'PORT']);
  });

  test('fetches, keys, files and start order', () => {
    const shown = plan.toJSON();
    assert.deepEqual(
      shown.fetches.find((f) => f.secret === 'ca'),
      {
        secret: 'ca',
        collaborator: 'alice',
        source: 'gcp-secret-manager',
        ref: 'projects/alice-proj/secrets/ca/versions/latest',
        latest: true,
      },
    );
    assert.deepEqual(shown.keys[0]?.shares, [
      { secret: 'alice-share', collaborator: 'alice' },
      { secret: 'bob-share', collaborator: 'bob' },
    ]);
    assert.deepEqual(
      shown.files.find((f) => f.from === 'server-key'),
      {
        from: 'server-key',
        path: '/run/secrets/server.key',
        mode: '0600',
        encoding: 'raw',
      },
    );
    assert.deepEqual(shown.startOrder, ['process app', 'proxy ingress']);
    assert.deepEqual(shown.proxies[0]?.identities, ['Client1']);
  });

  test('text and JSON forms', () => {
    const text = formatPlan(plan, 'text');
    assert.match(text, /^teeinit plan \(config [0-9a-f]{64}\)/);
    assert.match(text, /session-psk = hkdf-sha256\(alice-share@alice, bob-share@bob\)/);
    assert.match(text, /latest: not pinned/);
    assert.match(
      text,
      /^before anything:\n {2}environment: any variable .* refuses the start\n {2}PID 1: refused/m,
    );
    assert.deepEqual(JSON.parse(formatPlan(plan, 'json')), JSON.parse(JSON.stringify(plan)));
  });
});
