// The run pipeline: every stage in order, signals, shutdown.
export { runPipeline, type RunOptions } from './run-pipeline.js';
export { signalExitCode, HANDLED_SIGNALS } from './signals.js';
