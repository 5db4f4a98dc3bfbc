// The run pipeline: every stage in order, signals, shutdown.
export { runPipeline, type RunOptions } from './run-pipeline.js';
export { signalExitCode } from './signals.js';
export {
  SIGNAL_TABLE,
  SIGNAL_ALIASES,
  LEFT_TO_KERNEL,
  signalAction,
  handledSignals,
  type SignalAction,
  type SignalPhase,
  type SignalRule,
} from './signal-table.js';
