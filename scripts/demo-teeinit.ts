// `teeinit run` as the demo drives it: the built CLI as a child process whose JSON log
// records are parsed as they arrive, so the narration can wait for a record (with a
// deadline, never a fixed sleep) and quote it instead of flooding the terminal.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runArgv, withoutGuardedVariables } from '../src/preflight/index.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** One line of teeinit's output: a parsed JSON record, or a line the application printed. */
export interface LogLine {
  readonly text: string;
  readonly record?: Record<string, unknown>;
}

/** A running teeinit. */
export interface DemoTeeinit {
  readonly child: ChildProcess;
  /** Every line so far, in order. */
  readonly lines: readonly LogLine[];
  /** The first line (from `from` on) matching, or undefined after `ms`. */
  waitFor(
    match: (line: LogLine) => boolean,
    ms: number,
    from?: number,
  ): Promise<LogLine | undefined>;
  /** Resolves with the exit code (128+n for a signal). */
  readonly exited: Promise<number>;
  /** SIGTERM, then the exit code; SIGKILL if it is still there after `ms`. */
  stop(ms?: number): Promise<number>;
}

// Why: one place spawns the CLI the user would run and turns its output into records.
/** Starts `node dist/src/cli/main.js run -c <config>`; `echo` sees every line as it comes. */
export function startTeeinit(configPath: string, echo: (line: LogLine) => void): DemoTeeinit {
  // Without what teeinit refuses to start with (a machine may set NODE_EXTRA_CA_CERTS or a
  // proxy for everything), and with the Node flags it needs (--disable-sigusr1).
  const child = spawn(process.execPath, runArgv(CLI, ['run', '-c', configPath]), {
    env: withoutGuardedVariables(process.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const onLine = (text: string): void => {
    const line: LogLine = { text, ...parseRecord(text) };
    lines.push(line);
    echo(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8').on('data', (data: string) => {
      const parts = (rest + data).split('\n');
      rest = parts.pop() ?? '';
      parts.filter((p) => p !== '').forEach(onLine);
    });
  }
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) =>
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 2)),
    );
  });
  let gone = false;
  void exited.then(() => (gone = true));

  const waitFor: DemoTeeinit['waitFor'] = async (match, ms, from = 0) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = lines.slice(from).find(match);
      if (found || gone || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async (ms = 15_000): Promise<number> => {
    if (!gone) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return { child, lines, waitFor, exited, stop };
}

/** A record whose `message` is `message` (and, if given, whose `stage` is `stage`). */
export function isRecord(message: string, stage?: string): (line: LogLine) => boolean {
  return (line) =>
    line.record?.message === message && (stage === undefined || line.record.stage === stage);
}

/** A string field of a record, '' when absent. */
export function field(line: LogLine | undefined, name: string): string {
  const value = line?.record?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function parseRecord(text: string): { record?: Record<string, unknown> } {
  if (!text.startsWith('{')) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object'
      ? { record: value as Record<string, unknown> }
      : {};
  } catch {
    return {};
  }
}
