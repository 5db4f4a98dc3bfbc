// `status.listen`: a TCP host:port (loopback or not), never a unix socket or a malformed
// address (a port a proxy listens on: listeners.test.ts); and `teeinit plan` shows it with its paths.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { buildPlan } from '../plan/build-plan.js';
import { formatPlan } from '../plan/format-plan.js';
import { loadConfigTree } from './load.js';
import { baseTree } from './test-fixtures.js';

function withStatus(status: unknown): Record<string, unknown> {
  const tree = baseTree();
  tree.status = status;
  return tree;
}

function refused(status: unknown, fragment: string): void {
  assert.throws(
    () => loadConfigTree(withStatus(status)),
    (e: unknown) =>
      e instanceof TeeinitError &&
      e.code === 'TEEINIT_CONFIG_INVALID' &&
      e.exitCode === 78 &&
      e.message.includes(fragment),
  );
}

describe('config: status', { timeout: 10_000 }, () => {
  test('a loopback or wildcard host:port loads', () => {
    for (const listen of ['127.0.0.1:8089', '0.0.0.0:8089', '[::1]:8089', 'localhost:0']) {
      assert.equal(loadConfigTree(withStatus({ listen })).config.status?.listen, listen);
    }
    assert.equal(loadConfigTree(baseTree()).config.status, undefined);
  });

  test('bad addresses, unix sockets and unknown keys are refused', () => {
    refused({ listen: 'nope' }, 'status.listen: expected "host:port"');
    refused({ listen: '127.0.0.1:70000' }, 'status.listen');
    refused({ listen: 'unix:/run/teeinit.sock' }, 'status.listen');
    refused({}, 'status.listen');
    refused({ listen: '127.0.0.1:1', port: 2 }, 'status');
    // A proxy's port: see listeners.test.ts.
  });

  test('plan shows the address and the paths served (no /status, /metrics off loopback)', () => {
    const local = loadConfigTree(withStatus({ listen: '127.0.0.1:8089' }));
    const plan = buildPlan(local).toJSON();
    assert.deepEqual(plan.status, {
      listen: '127.0.0.1:8089',
      paths: ['/healthz', '/readyz', '/status', '/metrics'],
    });
    assert.equal(plan.startOrder[0], 'status endpoint');
    assert.match(
      formatPlan(buildPlan(local), 'text'),
      /status endpoint:\n {2}127\.0\.0\.1:8089: \/healthz, \/readyz, \/status, \/metrics\n/,
    );
    const open = loadConfigTree(withStatus({ listen: '0.0.0.0:8089' }));
    const text = formatPlan(buildPlan(open), 'text');
    assert.match(
      text,
      /0\.0\.0\.0:8089: \/healthz, \/readyz \(not loopback: no \/status, \/metrics\)/,
    );
  });
});
