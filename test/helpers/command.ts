// Runs a client command (openssl, curl, redis-cli, psql...) the way integration tests
// need it: no shell, optional stdin, a hard deadline (SIGKILL to its own pid and to its
// descendants), and the exit code and output as strings instead of exceptions.
import { spawn } from 'node:child_process';
import { descendantPids, trackedAlive } from './process-tree.js';

/** Result of a client command. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command (no shell) with optional stdin and a deadline; never throws on exit codes. */
export function runCommand(
  argv: readonly string[],
  options: {
    input?: string | Buffer;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** End stdin only this long after writing `input` (instead of at once). */
    keepStdinOpenMs?: number;
    /**
     * Stop the command (SIGTERM to its own pid) once its stdout matches: for clients that
     * never quit on their own, like `openssl s_client -quiet` (implies -ign_eof) to an echo.
     */
    untilStdout?: RegExp;
  } = {},
): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let stopping = false;
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      if (!stopping && options.untilStdout?.test(Buffer.concat(out).toString('utf8'))) {
        stopping = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // At the deadline: SIGKILL to the command and to every process it started (a script like
    // the demo starts servers; killing only its own pid would orphan them).
    const timer = setTimeout(() => {
      const started = child.pid === undefined ? [] : descendantPids(child.pid);
      child.kill('SIGKILL');
      for (const p of started) {
        try {
          if (trackedAlive(p)) process.kill(p.pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
    }, options.timeoutMs ?? 15_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    if (options.keepStdinOpenMs === undefined) child.stdin.end(options.input ?? '');
    else {
      // Clients like `openssl s_client` quit at stdin EOF, before the reply arrives.
      if (options.input !== undefined) child.stdin.write(options.input);
      setTimeout(() => child.stdin.end(), options.keepStdinOpenMs).unref();
    }
  });
}
