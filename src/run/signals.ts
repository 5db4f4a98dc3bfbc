// Signal routing for the whole run: a handler for every signal of the table
// (signal-table.ts) is installed first thing, and each signal is looked up in the table
// for the run's phase: the table alone decides whether it stops the run, is forwarded to
// the processes or is ignored; the run only carries that out. The handlers stay installed
// until the process exits: after dispose() a signal is only logged at DEBUG (files are
// being removed; a default action would cut that short, and SIGUSR1's default opens
// Node's inspector).
import { constants } from 'node:os';
import { handledSignals, signalAction, type SignalPhase } from './signal-table.js';

/** 128 + the signal's number, the shell convention for a death by signal. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** What carries out the table's actions, and the phase it is in. */
export interface SignalTarget {
  phase(): SignalPhase;
  stop(signal: NodeJS.Signals, phase: SignalPhase): void;
  forward(signal: NodeJS.Signals, phase: SignalPhase): void;
  ignore(signal: NodeJS.Signals, phase: SignalPhase): void;
}

/** Routes every handled signal through the table to one target. */
export class SignalRouter {
  #route: (signal: NodeJS.Signals) => void;

  constructor(target: SignalTarget) {
    this.#route = (signal) => {
      const phase = target.phase();
      const action = signalAction(signal, phase);
      if (action !== undefined) target[action](signal, phase);
    };
    for (const signal of handledSignals()) {
      process.on(signal, () => this.#route(signal));
    }
  }

  /** From now on signals only reach `last` (a DEBUG log line); the handlers stay. */
  dispose(last: (signal: NodeJS.Signals) => void = () => undefined): void {
    this.#route = last;
  }
}
