// Signal handling for the whole run: a handler for every signal of the table
// (signal-table.ts) is installed first thing, so a signal during start-up cancels it or is
// logged, a signal while running reaches the children, and none is left to its default
// action. The handlers stay installed until the process exits: after dispose() a signal is
// only logged at DEBUG (files are being removed; a default action would cut that short,
// and SIGUSR1's default opens Node's inspector).
import { constants } from 'node:os';
import { handledSignals } from './signal-table.js';

/** 128 + the signal's number, the shell convention for a death by signal. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** Routes process signals to one listener; the listener may change. */
export class SignalRouter {
  #listener: (signal: NodeJS.Signals) => void = () => undefined;

  constructor() {
    for (const signal of handledSignals()) {
      process.on(signal, () => this.#listener(signal));
    }
  }

  listen(listener: (signal: NodeJS.Signals) => void): void {
    this.#listener = listener;
  }

  /** From now on signals only reach `last` (a DEBUG log line); the handlers stay. */
  dispose(last: (signal: NodeJS.Signals) => void = () => undefined): void {
    this.#listener = last;
  }
}
