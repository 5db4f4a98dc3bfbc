// terminateTree, the after-hook teardown: a supervisor that dies on SIGTERM without stopping
// its children, and one that ignores SIGTERM, both leave no descendant running.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { pollUntil } from './poll.js';
import { descendantPids, terminateTree, trackedAlive, type TreeRoot } from './process-tree.js';
import { isAlive } from './procfs.js';

// A grandchild that ignores SIGTERM; the parent prints its pid, then behaves per `onTerm`.
const PARENT = `
const { spawn } = require('node:child_process');
const onTerm = process.argv[1];
const c = spawn(process.execPath, ['-e',
  "process.on('SIGTERM', () => {}); spawn = require('node:child_process').spawn;" +
  "const g = spawn(process.execPath, ['-e', \\"process.on('SIGTERM', () => {}); setInterval(() => {}, 1e9)\\"], { stdio: 'ignore' });" +
  "console.log(g.pid); setInterval(() => {}, 1e9)"], { stdio: ['ignore', 'pipe', 'ignore'] });
c.stdout.on('data', (d) => console.log(String(d).trim() + ' ' + c.pid));
process.on('SIGTERM', () => {
  if (onTerm === 'exit') process.exit(0);
});
setInterval(() => {}, 1e9);
`;

const started: ChildProcess[] = [];
after(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startTree(onTerm: 'exit' | 'ignore'): Promise<{
  root: TreeRoot;
  pids: number[];
}> {
  const child = spawn(process.execPath, ['-e', PARENT, onTerm], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const pids = line.toString().trim().split(' ').map(Number);
  assert.equal(pids.length, 2);
  const root: TreeRoot = {
    pid: child.pid!,
    gone: () => child.exitCode !== null || child.signalCode !== null,
    signal: (signal) => child.kill(signal),
  };
  return { root, pids };
}

describe('terminateTree', { timeout: 60_000 }, () => {
  test('descendantPids sees children and grandchildren', async () => {
    const { root, pids } = await startTree('exit');
    const found = await pollUntil('both descendants', () => {
      const d = descendantPids(root.pid).map((p) => p.pid);
      return pids.every((p) => d.includes(p)) && d;
    });
    assert.ok(found.length >= 2);
    await terminateTree(root);
    assert.ok(root.gone());
  });

  test('a root that dies on SIGTERM leaves no orphan', async () => {
    const { root, pids } = await startTree('exit');
    await pollUntil('descendants', () => descendantPids(root.pid).length >= 2);
    await terminateTree(root, 5_000);
    assert.ok(root.gone());
    for (const pid of pids) assert.ok(!isAlive(pid), `pid ${pid} outlived the teardown`);
  });

  test('a root that ignores SIGTERM is killed after the grace', async () => {
    const { root, pids } = await startTree('ignore');
    await pollUntil('descendants', () => descendantPids(root.pid).length >= 2);
    const began = Date.now();
    await terminateTree(root, 500);
    assert.ok(root.gone());
    assert.ok(Date.now() - began >= 500, 'SIGKILL only after the grace');
    for (const pid of pids) assert.ok(!isAlive(pid), `pid ${pid} outlived the teardown`);
  });

  test('a recorded pid is matched by start time too', { timeout: 10_000 }, () => {
    const [self] = descendantPids(process.ppid).filter((p) => p.pid === process.pid);
    assert.ok(self && trackedAlive(self));
    assert.ok(!trackedAlive({ pid: process.pid, startTime: '0' }));
  });
});
