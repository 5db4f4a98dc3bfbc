// freePort's reservations across processes: a port a live process holds is not handed out
// again, it is released when that process exits, and a dead owner's file is taken over.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, reservePort } from '../../scripts/loopback-port.js';
import { pollUntil } from './poll.js';

const MODULE = fileURLToPath(new URL('../../scripts/loopback-port.js', import.meta.url));
const DIR = join(tmpdir(), 'teeinit-loopback-ports');

describe('freePort reservations', () => {
  test('held by a live process, released at its exit', { timeout: 30_000 }, async () => {
    const port = await freePort(); // ours now: pick one nobody else holds, then hand it over
    const file = join(DIR, String(port));
    writeFileSync(file, '0'); // as if its owner had died
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(MODULE)});` +
          `console.log(m.reservePort(${port}) ? 'HELD' : 'REFUSED');` +
          `process.stdin.once('data', () => process.exit(0));`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      await pollUntil('the child reserves the port', () => out.includes('HELD'), 20_000);
      assert.equal(readFileSync(file, 'utf8'), String(child.pid), 'the dead owner was replaced');
      assert.equal(reservePort(port), false, 'a port a live process holds is refused');
      child.stdin.end('bye');
      await new Promise((resolve) => child.once('exit', resolve));
      assert.equal(existsSync(file), false, 'released when its owner exits');
      assert.equal(reservePort(port), true, 'free again');
      assert.equal(readFileSync(file, 'utf8'), String(process.pid));
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });

  test(
    'without a usable reservation directory, ports are still handed out',
    {
      timeout: 20_000,
    },
    async () => {
      // TMPDIR where the reservation directory's name is taken by a plain file.
      const tmp = mkdtempSync(join(tmpdir(), 'teeinit-lp-'));
      try {
        writeFileSync(join(tmp, 'teeinit-loopback-ports'), '');
        const child = spawn(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(MODULE)});` +
              `console.log('PORTS=' + [await m.freePort(), await m.freePort()].join(','));`,
          ],
          { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } },
        );
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
        const code = await new Promise((resolve) => child.once('exit', resolve));
        assert.equal(code, 0, out);
        const ports = /PORTS=(\d+),(\d+)/.exec(out);
        assert.ok(ports, out);
        assert.notEqual(ports[1], ports[2], 'each port handed out once');
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    },
  );

  test('a reservation file left by a dead process is taken over', { timeout: 10_000 }, () => {
    mkdirSync(DIR, { recursive: true });
    // Port 1 is never drawn by freePort (it draws from 10000 up): a free slot for the check.
    const file = join(DIR, '1');
    writeFileSync(file, '2147483646');
    assert.equal(reservePort(1), true);
    assert.equal(readFileSync(file, 'utf8'), String(process.pid));
  });
});
