// Signal handling for the whole run: installed first thing, so a signal during start-up
// cancels it (nothing starts afterwards) and a signal while running reaches the children.
import { constants } from 'node:os';

/** Signals a PID-1-style parent handles (DESIGN invariant 4). */
export const HANDLED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR2',
];

/** Signals that mean "stop": they cancel start-up and stop the children. */
const STOPPING: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP']);

export function isStopSignal(signal: NodeJS.Signals): boolean {
  return STOPPING.has(signal);
}

/** 128 + the signal's number, the shell convention for a death by signal. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** Routes process signals to one listener until `dispose()`; the listener may change. */
export class SignalRouter {
  #listener: (signal: NodeJS.Signals) => void = () => undefined;
  readonly #handlers = new Map<NodeJS.Signals, () => void>();

  constructor() {
    for (const signal of HANDLED_SIGNALS) {
      const handler = (): void => this.#listener(signal);
      this.#handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  listen(listener: (signal: NodeJS.Signals) => void): void {
    this.#listener = listener;
  }

  dispose(): void {
    for (const [signal, handler] of this.#handlers) process.removeListener(signal, handler);
    this.#handlers.clear();
  }
}
