import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { LEFT_TO_KERNEL, SIGNAL_ALIASES, SIGNAL_TABLE } from './signal-table.js';

// On whatever Node runs the tests: no signal Node names is left to its default by oversight.
test('every signal Node names is handled, left to the kernel with a reason, or an alias', () => {
  for (const name of Object.keys(constants.signals)) {
    const places = [
      name in SIGNAL_TABLE ? 'table' : '',
      name in LEFT_TO_KERNEL ? 'left to the kernel' : '',
      name in SIGNAL_ALIASES ? 'alias' : '',
    ].filter(Boolean);
    assert.equal(places.length, 1, `${name}: ${places.join(', ') || 'nowhere'}`);
  }
  for (const [alias, canonical] of Object.entries(SIGNAL_ALIASES)) {
    assert.ok(canonical in SIGNAL_TABLE, alias);
    const numbers = constants.signals as Record<string, number>;
    assert.equal(numbers[alias], numbers[canonical], alias);
  }
});

test('one handler per signal number; the stop signals stop in every phase but stopping', () => {
  const numbers = Object.keys(SIGNAL_TABLE).map(
    (s) => (constants.signals as Record<string, number>)[s],
  );
  assert.equal(new Set(numbers).size, numbers.length);
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    assert.deepEqual(
      [SIGNAL_TABLE[s]?.startup, SIGNAL_TABLE[s]?.running, SIGNAL_TABLE[s]?.stopping],
      ['stop', 'stop', 'forward'],
    );
  }
  for (const s of ['SIGTSTP', 'SIGTTIN', 'SIGTTOU'] as const) {
    assert.equal(SIGNAL_TABLE[s]?.running, 'ignore', `${s} must never stop teeinit`);
  }
  assert.notEqual(SIGNAL_TABLE.SIGUSR1, undefined, "SIGUSR1's default opens the inspector");
});
