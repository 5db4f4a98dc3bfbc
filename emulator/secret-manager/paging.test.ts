import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageOf, parsePage } from './paging.js';
import { parseSeedDocument } from '../seed/apply.js';

test(
  'paging: sizes, tokens and malformed input as secrets.list and versions.list share them',
  { timeout: 5000 },
  () => {
    const q = (s: string): URLSearchParams => new URLSearchParams(s);
    assert.deepEqual(parsePage(q('')), { size: 25_000, offset: 0 });
    assert.deepEqual(parsePage(q('pageSize=0')), { size: 25_000, offset: 0 });
    assert.deepEqual(parsePage(q('pageSize=2&pageToken=4')), { size: 2, offset: 4 });
    for (const bad of [
      'pageSize=abc',
      'pageSize=-1',
      'pageSize=1.5',
      'pageToken=x',
      'pageToken=-2',
    ]) {
      assert.equal(parsePage(q(bad)), undefined, bad);
    }
    assert.deepEqual(pageOf([1, 2, 3, 4, 5], { size: 2, offset: 2 }), {
      items: [3, 4],
      next: '4',
      total: 5,
    });
    assert.deepEqual(pageOf([1, 2, 3], { size: 5, offset: 0 }), { items: [1, 2, 3], total: 3 });
  },
);

test(
  'seed: `latest` cannot be declared as an alias (it would be shadowed)',
  { timeout: 5000 },
  () => {
    const doc = (alias: string): unknown => ({
      projects: [{ id: 'p-proj', number: '123' }],
      secrets: [{ project: 'p-proj', id: 's', versions: [{ data: 'x' }], aliases: { [alias]: 1 } }],
    });
    assert.doesNotThrow(() => parseSeedDocument(doc('stable')));
    assert.throws(() => parseSeedDocument(doc('latest')), /latest/);
  },
);
