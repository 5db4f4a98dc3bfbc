/* eslint-disable @typescript-eslint/no-unsafe-call -- tests mutate an untyped config tree */
// What a revocation withdraws, from the plan: a collaborator's secrets with stop (default
// keep); a key once fewer of its collaborators consent than it needs (default stop, its
// own setting winning); the bundles, templates, proxies and processes made from them; a
// process that names no secret counts as using whatever is withdrawn.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigTree } from '../config/load.js';
import { baseTree } from '../config/test-fixtures.js';
import { buildPlan } from '../plan/build-plan.js';
import type { Plan } from '../plan/types.js';
import { withdrawnBy } from './withdrawn-material.js';

type Tree = ReturnType<typeof baseTree>;

function plan(mutate: (t: Tree) => void = () => undefined): Plan {
  const t = baseTree();
  t.refresh = {};
  mutate(t);
  return buildPlan(loadConfigTree(t));
}

const names = (list: readonly { name: string }[]): string[] => list.map((x) => x.name);

describe('withdrawn material', { timeout: 10_000 }, () => {
  test('nothing revoked: nothing withdrawn', () => {
    const w = withdrawnBy(plan(), new Set());
    assert.equal(w.names.size, 0);
    assert.deepEqual(names(w.proxies), []);
    assert.deepEqual(names(w.processes), []);
  });

  test('bob (keep by default) revokes: his share is kept, the n-of-n key stops with its proxy', () => {
    const w = withdrawnBy(plan(), new Set(['bob']));
    assert.deepEqual([...w.keptSecrets], ['bob-share']);
    assert.deepEqual([...w.keys], ['session-psk']);
    assert.deepEqual(names(w.proxies), ['ingress']);
    // `app` uses alice's certificate only.
    assert.deepEqual(names(w.processes), []);
  });

  test("a key's own keep wins over its collaborator's stop", () => {
    const w = withdrawnBy(
      plan((t) => {
        t.collaborators.bob.onRevoke = 'stop';
        t.keys['session-psk'].onRevoke = 'keep';
      }),
      new Set(['bob']),
    );
    assert.deepEqual([...w.secrets], ['bob-share']);
    assert.deepEqual([...w.keys], []);
    assert.deepEqual([...w.keptKeys], ['session-psk']);
    assert.deepEqual(names(w.proxies), []);
  });

  test('alice with stop: her bundle, the template using her secret, and their users', () => {
    const w = withdrawnBy(
      plan((t) => {
        t.collaborators.alice.onRevoke = 'stop';
        t.templates = { 'app.conf': { content: 'cert={{ file server-cert }}\n' } };
        t.processes.push({ name: 'reader', run: ['r', '{{ file app.conf }}'] });
        t.processes.push({ name: 'fixed', run: ['f', '/etc/fixed.conf'] });
      }),
      new Set(['alice']),
    );
    assert.ok(w.bundles.has('server'));
    assert.ok(w.names.has('app.conf'), 'the template is withdrawn with its secret');
    assert.deepEqual(names(w.processes), ['app', 'reader', 'fixed']);
  });

  test('a 2-of-3 threshold key stops only when fewer than 2 consent', () => {
    const withQuorum = (t: Tree): void => {
      t.collaborators.carol = { provider: t.collaborators.bob.provider };
      t.secrets['alice-q'] = { from: 'alice', ref: 'projects/alice-proj/secrets/q/versions/1' };
      t.secrets['bob-q'] = { from: 'bob', ref: 'projects/bob-proj/secrets/q/versions/1' };
      t.secrets['carol-q'] = { from: 'carol', ref: 'projects/carol-proj/secrets/q/versions/1' };
      t.keys['quorum-psk'] = { shares: ['alice-q', 'bob-q', 'carol-q'], threshold: 2 };
      t.proxies[0].psk = 'quorum-psk';
      t.keys = { 'quorum-psk': t.keys['quorum-psk'] };
      delete t.secrets['alice-share'];
      delete t.secrets['bob-share'];
    };
    const p = plan(withQuorum);
    assert.deepEqual([...withdrawnBy(p, new Set(['carol'])).keys], []);
    assert.deepEqual(names(withdrawnBy(p, new Set(['carol'])).proxies), []);
    const two = withdrawnBy(p, new Set(['carol', 'bob']));
    assert.deepEqual([...two.keys], ['quorum-psk']);
    assert.deepEqual(names(two.proxies), ['ingress']);
  });
});
