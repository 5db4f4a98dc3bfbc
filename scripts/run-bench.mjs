#!/usr/bin/env node
// `npm run bench -- NAME...` runs the compiled benchmarks dist/bench/NAME.js one after
// another; without a name it lists them. Benchmarks print ratios against anchors measured
// in the same run; they are never part of `npm test`.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const available = readdirSync('dist/bench')
  .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
if (wanted.length === 0) {
  console.log(`benchmarks: ${available.join(', ')}\nrun one with: npm run bench -- NAME`);
  process.exit(0);
}
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`no benchmark "${name}" (available: ${available.join(', ')})`);
    process.exit(64);
  }
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [`dist/bench/${name}.js`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
