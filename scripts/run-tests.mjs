#!/usr/bin/env node
// Runs every compiled *.test.js under dist/ with node:test. Arguments filter by substring
// of the path (e.g. `npm run test:only -- emulator`). The build is incremental and leaves
// the output of a deleted or moved test behind: a compiled test runs only while its
// source (.ts beside the same path outside dist/) exists.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['dist/src', 'dist/emulator', 'dist/test'];
const filters = process.argv.slice(2);
const files = [];
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js') && existsSync(sourceOf(p))) files.push(p);
  }
}
/** dist/test/a/b.test.js → test/a/b.test.ts */
function sourceOf(compiled) {
  return compiled.slice('dist/'.length).replace(/\.js$/, '.ts');
}
roots.forEach(walk);
const selected = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEEINIT_TEST_CONCURRENCY ?? '2';
// --test-timeout also bounds each test FILE as a whole, not only tests without their own
// timeout: a backstop for a hung file, so it sits above the longest suite timeout (300 s).
// At 120 s it cut off whole files on a loaded machine (the CLI suite takes ~50 s at
// concurrency 2 on two cores, and over 120 s when the machine is two to three times slower).
const r = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...selected],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
