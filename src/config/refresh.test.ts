/* eslint-disable @typescript-eslint/no-unsafe-call -- tests mutate untyped config trees the way a user file would */
// The `refresh` block and `processes[].onRefresh`: defaults, shapes, and the rule that a
// changeable secret reaching a process only as {{ value }} needs onRefresh: restart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { loadConfigTree } from './load.js';
import { baseTree } from './test-fixtures.js';

type Tree = Record<string, any>;
const ALIAS = 'projects/alice-proj/secrets/pw/versions/current';

function load(mutate: (t: Tree) => void): ReturnType<typeof loadConfigTree> {
  const t = baseTree();
  mutate(t);
  return loadConfigTree(t);
}

function failsWith(mutate: (t: Tree) => void, code: string, fragment: string): void {
  assert.throws(
    () => load(mutate),
    (e: unknown) => e instanceof TeeinitError && e.code === code && e.message.includes(fragment),
  );
}

// A process that gets secret "pw" as a value in argv.
const valueProcess = (t: Tree, extra: Tree = {}): void => {
  t.secrets.pw = { from: 'alice', ref: ALIAS };
  t.processes.push({
    name: 'legacy',
    run: ['x', '--pw={{ value pw }}'],
    allowValue: true,
    ...extra,
  });
};

describe('config: refresh', { timeout: 10_000 }, () => {
  test('absent: no refresh, processes default to onRefresh none', () => {
    const { config } = load(() => undefined);
    assert.equal(config.refresh, undefined);
    assert.equal(config.processes[0]?.onRefresh, 'none');
  });

  test('defaults: 1h, jitter a tenth of interval, 60s deadline, retry 10s..5m, 3 confirmations', () => {
    const { config } = load((t) => (t.refresh = {}));
    assert.deepEqual(config.refresh, {
      interval: 3_600_000,
      jitter: 360_000,
      deadline: 60_000,
      retry: { backoff: 10_000, maxBackoff: 300_000 },
      revocation: { confirmations: 3 },
    });
  });

  test('onRevoke on collaborators and keys; confirmations', () => {
    const { config } = load((t) => {
      t.refresh = { revocation: { confirmations: 5 } };
      t.collaborators.alice.onRevoke = 'stop';
    });
    assert.equal(config.refresh?.revocation.confirmations, 5);
    assert.equal(config.collaborators.alice?.onRevoke, 'stop');
    failsWith(
      (t) => (t.refresh = { revocation: { confirmations: 0 } }),
      'TEEINIT_CONFIG_INVALID',
      'refresh.revocation.confirmations',
    );
    failsWith(
      (t) => {
        t.refresh = {};
        t.collaborators.alice.onRevoke = 'drain';
      },
      'TEEINIT_CONFIG_INVALID',
      'collaborators.alice.onRevoke',
    );
  });

  test('onRevoke without refresh is refused, naming the key and the fix', () => {
    failsWith(
      (t) => (t.collaborators.alice.onRevoke = 'keep'),
      'TEEINIT_CONFIG_INVALID',
      'collaborators.alice.onRevoke: onRevoke acts on refresh cycles',
    );
    assert.throws(
      () => load((t) => (t.collaborators.alice.onRevoke = 'stop')),
      (e: unknown) => e instanceof TeeinitError && /Add a `refresh` block/.test(e.hint),
    );
  });

  test('durations and onRefresh shapes', () => {
    const { config } = load((t) => {
      t.refresh = { interval: '30s', jitter: '5s', deadline: '20s', retry: { backoff: '1s' } };
      t.processes[0].onRefresh = { signal: 'SIGHUP' };
      t.processes.push({ name: 'b', run: ['b'], onRefresh: 'restart' });
    });
    assert.equal(config.refresh?.interval, 30_000);
    assert.equal(config.refresh?.jitter, 5_000);
    assert.deepEqual(config.processes[0]?.onRefresh, { signal: 'SIGHUP' });
    assert.equal(config.processes[1]?.onRefresh, 'restart');
  });

  const invalid: [string, (t: Tree) => void, string, string][] = [
    [
      'interval below 1s',
      (t) => (t.refresh = { interval: '500ms' }),
      'TEEINIT_CONFIG_INVALID',
      'refresh.interval',
    ],
    ['unknown key', (t) => (t.refresh = { every: '1h' }), 'TEEINIT_CONFIG_INVALID', 'every'],
    [
      'jitter not below interval',
      (t) => (t.refresh = { interval: '10s', jitter: '10s' }),
      'TEEINIT_CONFIG_INVALID',
      'refresh.jitter',
    ],
    [
      'backoff above maxBackoff',
      (t) => (t.refresh = { retry: { backoff: '2m', maxBackoff: '1m' } }),
      'TEEINIT_CONFIG_INVALID',
      'refresh.retry.backoff',
    ],
    [
      'onRefresh typo',
      (t) => (t.processes[0].onRefresh = 'reload'),
      'TEEINIT_CONFIG_INVALID',
      'onRefresh',
    ],
    [
      'onRefresh SIGKILL',
      (t) => (t.processes[0].onRefresh = { signal: 'SIGKILL' }),
      'TEEINIT_CONFIG_INVALID',
      'onRefresh',
    ],
    [
      'a changeable value in argv without restart',
      (t) => {
        t.refresh = {};
        valueProcess(t, { onRefresh: { signal: 'SIGHUP' } });
      },
      'TEEINIT_REFRESH_NEEDS_RESTART',
      'processes[1].onRefresh: the process receives secrets.pw as {{ value }}',
    ],
    [
      'a changeable share reaching argv through its key',
      (t) => {
        t.refresh = {};
        t.secrets['bob-share'].ref = 'projects/bob-proj/secrets/psk/versions/latest';
        t.processes.push({ name: 'k', run: ['k', '{{ value session-psk }}'], allowValue: true });
      },
      'TEEINIT_REFRESH_NEEDS_RESTART',
      'receives secrets.bob-share as {{ value }}',
    ],
    [
      'a restarted process whose stopTimeout equals refresh.deadline',
      (t) => {
        t.refresh = { deadline: '10s' };
        t.processes[0].onRefresh = 'restart';
      },
      'TEEINIT_REFRESH_STOP_TIMEOUT',
      'processes[0].stopTimeout: the process has onRefresh: restart and a stopTimeout not less than refresh.deadline',
    ],
    [
      'a restarted process whose stopTimeout exceeds refresh.deadline',
      (t) => {
        t.refresh = { deadline: '20s' };
        t.processes.push({ name: 'slow', run: ['s'], onRefresh: 'restart', stopTimeout: '30s' });
      },
      'TEEINIT_REFRESH_STOP_TIMEOUT',
      'processes[1].stopTimeout',
    ],
  ];
  for (const [name, mutate, code, fragment] of invalid) {
    test(`refused: ${name}`, () => failsWith(mutate, code, fragment));
  }

  test('accepted: the value process restarts, or the secret is pinned, or no refresh', () => {
    load((t) => {
      t.refresh = {};
      valueProcess(t, { onRefresh: 'restart' });
    });
    load((t) => {
      t.refresh = {};
      valueProcess(t);
      t.secrets.pw.ref = 'projects/alice-proj/secrets/pw/versions/4';
    });
    load((t) => valueProcess(t));
    load((t) => {
      t.refresh = { deadline: '11s' };
      t.processes[0].onRefresh = 'restart'; // default stopTimeout 10s
      t.processes.push({
        name: 'hup',
        run: ['h'],
        onRefresh: { signal: 'SIGHUP' },
        stopTimeout: '1m',
      });
    });
  });

  test('warnings: onRefresh without refresh; refresh with only pinned versions', () => {
    const a = load((t) => (t.processes[0].onRefresh = 'restart'));
    assert.ok(a.warnings.some((w) => w.includes('processes[0].onRefresh has no effect')));
    const b = load((t) => (t.refresh = {}));
    assert.ok(b.warnings.some((w) => w.includes('every secret is a pinned')));
  });
});
