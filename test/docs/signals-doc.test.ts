// docs/signals.md shows the signal table of src/run/signal-table.ts: one row per signal with
// the same action in each phase, and every signal left to the kernel.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LEFT_TO_KERNEL, SIGNAL_TABLE } from '../../src/run/index.js';

const doc = readFileSync(new URL('../../../docs/signals.md', import.meta.url), 'utf8');

test('docs/signals.md has the actions of signal-table.ts, row for row', () => {
  const rows = new Map<string, string[]>();
  for (const m of doc.matchAll(/^\| `(SIG[A-Z0-9]+)` \| (\w+) \| (\w+) \| (\w+) \|/gm)) {
    rows.set(m[1]!, [m[2]!, m[3]!, m[4]!]);
  }
  const table = Object.entries(SIGNAL_TABLE).map(([s, r]) => [
    s,
    [r.startup, r.running, r.stopping],
  ]);
  assert.deepEqual([...rows.entries()].sort(), table.sort());
  for (const signal of Object.keys(LEFT_TO_KERNEL)) {
    assert.match(doc, new RegExp(`^\\| \`${signal}\` \\| [a-z]`, 'm'), signal);
  }
});
