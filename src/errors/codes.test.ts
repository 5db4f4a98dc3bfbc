import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from './codes.js';

// docs/errors.md and the registry must list the same codes, each with its exit code.
test('docs/errors.md lists exactly the registry codes with their exit codes', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map<string, number>();
  for (const m of doc.matchAll(/^## `(TEEINIT_[A-Z0-9_]+)`\s*\n+Exit code: (\d+)/gm)) {
    documented.set(m[1]!, Number(m[2]));
  }
  const registry = new Map(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.exitCode]));
  assert.deepEqual([...documented.keys()].sort(), [...registry.keys()].sort());
  for (const [code, exit] of registry) assert.equal(documented.get(code), exit, code);
});
