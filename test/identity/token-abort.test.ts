// Both attestation token sources honour the caller's AbortSignal: a read stuck on a FIFO
// with no writer, or on a teeserver that never answers, rejects with the signal's reason
// within a second of the abort, closes its descriptor, and leaves nothing that keeps the
// process alive (checked in a child process that must exit on its own).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  writeSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TeeinitError } from '../../src/errors/index.js';
import { createTokenSource, readTeeserverToken, readTokenFile } from '../../src/identity/index.js';
import { pollUntil, withDeadline } from '../helpers/poll.js';
import { removeDir, tempDir } from '../helpers/temp.js';

const T = { timeout: 15_000 };
const CANCELLED = 'cancelled by test';

/** An unsigned compact JWT that expires in an hour: enough for the freshness check. */
function freshToken(): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
}

/** Descriptors of `pid` open on `path` (from /proc/<pid>/fd). */
function fdsOn(pid: number | 'self', path: string): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === path) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

/** Awaits `p`, expecting the test's abort reason within 1 s of `abortedAt`. */
async function rejectsWithAbort(p: Promise<unknown>, abortedAt: () => number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(!(e instanceof TeeinitError), `expected the abort reason, got ${String(e)}`);
    assert.match(String(e), new RegExp(CANCELLED));
    return true;
  });
  const ms = Date.now() - abortedAt();
  assert.ok(ms < 1000, `took ${ms} ms after the abort`);
}

const CHILD = `
const [moduleUrl, source, path] = process.argv.slice(1);
const { createTokenSource } = await import(moduleUrl);
const read = createTokenSource(
  { source, tokenFile: path, socket: path },
  { timeoutMs: 60000 },
);
const ctl = new AbortController();
process.once('SIGUSR2', () => {
  const abortedAt = Date.now();
  ctl.abort(new Error('${CANCELLED}'));
  outcome.finally(() => console.log('ms', Date.now() - abortedAt));
});
const outcome = read(ctl.signal).then(
  () => console.log('resolved'),
  (e) => console.log('rejected:', e.message),
);
`;

/** Starts a child reading through createTokenSource; aborts it once `pending` says so. */
async function abortInChild(
  source: 'file' | 'teeserver',
  path: string,
  pending: (pid: number) => boolean,
): Promise<string> {
  const moduleUrl = new URL('../../src/identity/index.js', import.meta.url).href;
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD, moduleUrl, source, path],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const pid = child.pid ?? 0;
    await pollUntil('the child to be stuck in the token read', () => pending(pid), 8000);
    child.kill('SIGUSR2');
    // No process.exit in the child: it ends only when nothing keeps its event loop alive.
    const code = await withDeadline(exited, 10_000, 'the child to exit on its own');
    assert.equal(code, 0, out);
    return out;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe('token file: a FIFO with no writer', () => {
  let dir: string;
  before(() => {
    dir = tempDir('teeinit-token-abort-').dir;
  });
  after(() => removeDir(dir));

  const fifo = (name: string): string => {
    const path = join(dir, name);
    execFileSync('mkfifo', [path]);
    return path;
  };

  test('abort rejects with the reason within 1 s and closes the fd', T, async () => {
    const path = fifo('stuck.fifo');
    const ctl = new AbortController();
    const read = readTokenFile(path, { signal: ctl.signal });
    await pollUntil('the FIFO to be opened', () => fdsOn('self', path) > 0, 5000);
    ctl.abort(new Error(CANCELLED));
    const abortedAt = Date.now();
    await rejectsWithAbort(read, () => abortedAt);
    await pollUntil('the FIFO fd to be closed', () => fdsOn('self', path) === 0, 1000);
  });

  test('a FIFO that a writer fills still yields the token', T, async () => {
    const path = fifo('written.fifo');
    const token = freshToken();
    const read = readTokenFile(path, { signal: new AbortController().signal });
    // O_NONBLOCK write-open fails (ENXIO) until the reader has opened the FIFO.
    const fd = await pollUntil('the FIFO reader', () => {
      try {
        return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        return undefined;
      }
    });
    writeSync(fd, `${token}\n`);
    closeSync(fd);
    assert.equal(await read, token);
  });

  test('an already-aborted signal rejects before anything is opened', T, async () => {
    const path = fifo('never.fifo');
    await rejectsWithAbort(
      readTokenFile(path, { signal: AbortSignal.abort(new Error(CANCELLED)) }),
      () => Date.now(),
    );
    assert.equal(fdsOn('self', path), 0);
  });

  test('the token source passes the signal; the process then exits on its own', T, async () => {
    const path = fifo('child.fifo');
    const out = await abortInChild('file', path, (pid) => fdsOn(pid, path) > 0);
    assert.match(out, new RegExp(`rejected: ${CANCELLED}`));
    const ms = Number(/ms (\d+)/.exec(out)?.[1]);
    assert.ok(ms < 1000, `took ${ms} ms after the abort`);
  });
});

describe('token file: what is not a token file', () => {
  let dir: string;
  before(() => {
    dir = tempDir('teeinit-token-kind-').dir;
  });
  after(() => removeDir(dir));

  const cases: [name: string, make: (path: string) => Promise<void> | void, errno: string][] = [
    ['a directory', (p) => void mkdirSync(p), 'EISDIR'],
    ['a file over 64 KiB', (p) => writeFile(p, 'x'.repeat(65 * 1024)), 'EFBIG'],
    ['a character device', () => undefined, 'EFTYPE'],
  ];
  for (const [name, make, errno] of cases) {
    test(`${name} → TEEINIT_TOKEN_UNAVAILABLE (${errno})`, T, async () => {
      const path = errno === 'EFTYPE' ? '/dev/null' : join(dir, errno);
      await make(path);
      await assert.rejects(readTokenFile(path), (e: unknown) => {
        assert.ok(e instanceof TeeinitError, String(e));
        assert.equal(e.code, 'TEEINIT_TOKEN_UNAVAILABLE');
        assert.ok(e.message.includes(path) && e.message.includes(errno), e.message);
        return true;
      });
    });
  }
});

describe('teeserver socket: a server that never answers', () => {
  let dir: string;
  let socket: string;
  let server: Server;
  const requests: IncomingMessage[] = [];
  let partial = false;
  before(async () => {
    dir = tempDir('teeinit-teeserver-abort-').dir;
    socket = join(dir, 'teeserver.sock');
    server = createServer((req, res) => {
      requests.push(req);
      // Either nothing at all, or headers and the start of a body that never ends.
      if (partial) {
        res.writeHead(200, { 'content-length': '4096' });
        res.write('eyJ');
      }
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    removeDir(dir);
  });

  for (const mode of ['before the headers', 'in the middle of the body']) {
    test(`abort ${mode}: rejects with the reason, the connection is closed`, T, async () => {
      partial = mode !== 'before the headers';
      const seen = requests.length;
      const ctl = new AbortController();
      const read = readTeeserverToken(socket, { timeoutMs: 60_000, signal: ctl.signal });
      const req = await pollUntil('the request', () => requests[seen], 5000);
      const closed = new Promise((resolve) => req.socket.once('close', resolve));
      ctl.abort(new Error(CANCELLED));
      const abortedAt = Date.now();
      await rejectsWithAbort(read, () => abortedAt);
      await withDeadline(closed, 1000, 'the client to close its connection');
    });
  }

  test('through the token source in a child: it exits on its own', T, async () => {
    partial = false;
    const seen = requests.length;
    const out = await abortInChild('teeserver', socket, () => requests.length > seen);
    assert.match(out, new RegExp(`rejected: ${CANCELLED}`));
  });

  test('the per-call timeout still applies without a signal', T, async () => {
    partial = true;
    const read = createTokenSource(
      { source: 'teeserver', tokenFile: '', socket },
      { timeoutMs: 200 },
    )();
    await assert.rejects(read, /no answer within 200 ms/);
  });
});
