// The one table of what teeinit does with each signal, in each phase of a run. Every
// signal Node.js names (os.constants.signals) is either in SIGNAL_TABLE, in LEFT_TO_KERNEL
// with the reason it cannot or must not be handled, or an alias of one of them; a test
// keeps it so on every Node version, so no signal falls to its default action (most
// terminate, several dump core) by oversight. docs/signals.md is this table in prose.
//
// Phases: `startup` until every process is ready, `running` after, `stopping` once the
// run is ending (a stop signal, a process that exited for good, a failed start-up).
// Actions:
//   stop     — end the run as SIGTERM does: during start-up cancel it (exit 128+n), while
//              running stop every process with its stopSignal (exit with the first one's
//              status); proxies drain, secret files are removed.
//   forward  — pass the signal to each process started so far (its pid, not its group).
//   ignore   — do nothing but log it (INFO), and keep supervising.

export type SignalPhase = 'startup' | 'running' | 'stopping';
export type SignalAction = 'stop' | 'forward' | 'ignore';

export interface SignalRule {
  readonly startup: SignalAction;
  readonly running: SignalAction;
  readonly stopping: SignalAction;
  /** Why this signal gets these actions (docs/signals.md says the same). */
  readonly why: string;
}

const rule = (
  startup: SignalAction,
  running: SignalAction,
  stopping: SignalAction,
  why: string,
): SignalRule => ({ startup, running, stopping, why });

/** Every signal teeinit handles, by its canonical Linux name. */
export const SIGNAL_TABLE: Readonly<Partial<Record<NodeJS.Signals, SignalRule>>> = {
  // Stop: what container runtimes, terminals and inits send to end a container.
  SIGTERM: rule(
    'stop',
    'stop',
    'forward',
    'the stop signal of docker, containerd and the launcher; a second one while stopping goes to the processes as-is',
  ),
  SIGINT: rule(
    'stop',
    'stop',
    'forward',
    'Ctrl-C; a second one while stopping goes to the processes as-is',
  ),
  SIGPWR: rule(
    'stop',
    'stop',
    'ignore',
    "an init's shutdown request (lxc-stop sends it to a container's PID 1)",
  ),
  SIGXCPU: rule(
    'stop',
    'stop',
    'ignore',
    "teeinit's own soft CPU limit (RLIMIT_CPU) was reached: stop cleanly before the hard limit's SIGKILL",
  ),
  SIGABRT: rule(
    'stop',
    'stop',
    'ignore',
    "sent with kill, a request to end (its default action dumps core, with teeinit's secrets); a real abort() still ends teeinit at once",
  ),
  // Before anything runs, a hangup or quit cancels start-up; once running, the application acts on them.
  SIGHUP: rule(
    'stop',
    'forward',
    'forward',
    'a reload for most servers (nginx, postgres, haproxy); during start-up there is nothing to reload, so it cancels',
  ),
  SIGQUIT: rule(
    'stop',
    'forward',
    'forward',
    "the application's own quit (nginx: graceful stop); during start-up it cancels",
  ),
  // Forward: signals an application acts on when its supervisor passes them on.
  SIGUSR1: rule(
    'forward',
    'forward',
    'forward',
    "application-defined (envoy reopens its logs, haproxy stops softly); handling it keeps Node's inspector closed. Under --disable-sigusr1 (required where Node has it) Node blocks it: it reaches neither teeinit nor the application",
  ),
  SIGUSR2: rule(
    'forward',
    'forward',
    'forward',
    'application-defined (nginx upgrades its binary, haproxy reloads)',
  ),
  SIGWINCH: rule(
    'forward',
    'forward',
    'forward',
    "terminal size changed; httpd takes it as a graceful stop (its image's STOPSIGNAL), so it is passed on as tini does",
  ),
  SIGCONT: rule(
    'forward',
    'forward',
    'forward',
    'continue after a stop; the kernel already continued teeinit',
  ),
  SIGALRM: rule(
    'forward',
    'forward',
    'forward',
    'a wake-up some daemons accept (tini forwards it); teeinit sets no alarm of its own',
  ),
  // Ignore: job control (teeinit must not stop, and stopping the application would hang the service)...
  SIGTSTP: rule(
    'ignore',
    'ignore',
    'ignore',
    'terminal stop (Ctrl-Z): must not stop teeinit, and is not passed on: a stopped application would hang the service',
  ),
  SIGTTIN: rule(
    'ignore',
    'ignore',
    'ignore',
    'background read from a terminal: must not stop teeinit (a container has no terminal to wait for)',
  ),
  SIGTTOU: rule(
    'ignore',
    'ignore',
    'ignore',
    'background write to a terminal: must not stop teeinit',
  ),
  // ...and signals about teeinit's own state, which mean nothing to the application.
  SIGPIPE: rule(
    'ignore',
    'ignore',
    'ignore',
    'a write to a closed pipe or socket: Node reports it as EPIPE on that write',
  ),
  SIGXFSZ: rule(
    'ignore',
    'ignore',
    'ignore',
    "teeinit's own file size limit (RLIMIT_FSIZE): the write fails with EFBIG and is reported",
  ),
  SIGVTALRM: rule(
    'ignore',
    'ignore',
    'ignore',
    "a timer of teeinit's own CPU time; teeinit sets none",
  ),
  SIGPROF: rule(
    'ignore',
    'ignore',
    'ignore',
    "a profiling timer of teeinit's own; teeinit sets none",
  ),
  SIGIO: rule(
    'ignore',
    'ignore',
    'ignore',
    'I/O readiness of a descriptor set to signal teeinit (O_ASYNC); teeinit sets none',
  ),
  SIGURG: rule(
    'ignore',
    'ignore',
    'ignore',
    "urgent data on teeinit's own socket; the kernel sends it to a socket's owner, never through a parent",
  ),
  SIGTRAP: rule(
    'ignore',
    'ignore',
    'ignore',
    'a debugger trap; teeinit runs under no debugger (its default action dumps core)',
  ),
  SIGSYS: rule(
    'ignore',
    'ignore',
    'ignore',
    "a bad system call of teeinit's own (a seccomp trap); the call fails and is reported (its default action dumps core)",
  ),
  SIGSTKFLT: rule('ignore', 'ignore', 'ignore', 'unused on Linux (a coprocessor stack fault)'),
};

/** Second names of a signal number in Node's list; their rule is the canonical name's. */
export const SIGNAL_ALIASES: Readonly<Record<string, NodeJS.Signals>> = {
  SIGIOT: 'SIGABRT',
  SIGPOLL: 'SIGIO',
};

/** Signals deliberately not handled, and why; nothing else keeps its default action. */
export const LEFT_TO_KERNEL: Readonly<Record<string, string>> = {
  SIGKILL: 'cannot be caught: teeinit dies at once (tini, as PID 1, then ends the container)',
  SIGSTOP: 'cannot be caught: the kernel stops teeinit until SIGCONT',
  SIGSEGV:
    "a fault: returning from a handler would run the faulting instruction again and hang teeinit (Node's docs); the default action ends it",
  SIGBUS: 'a fault: as SIGSEGV',
  SIGFPE: 'a fault: as SIGSEGV',
  SIGILL: 'a fault: as SIGSEGV',
  SIGCHLD:
    "libuv's own: it collects the exits of the processes teeinit started; the default action ignores it",
};

/** What to do with `signal` in `phase`; undefined for a signal teeinit does not handle. */
export function signalAction(signal: NodeJS.Signals, phase: SignalPhase): SignalAction | undefined {
  return SIGNAL_TABLE[signal]?.[phase];
}

/** The signals to install a handler for: every canonical name in the table. */
export function handledSignals(): NodeJS.Signals[] {
  return Object.keys(SIGNAL_TABLE) as NodeJS.Signals[];
}
