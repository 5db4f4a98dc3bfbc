// Checks of the process teeinit runs in, made by `run` after the config is loaded and
// before anything else (no status port, no network call, no file): Node's inspector must be
// closed and stay closed. Each check throws its own TeeinitError.
import { checkInspector } from './inspector.js';

export { canDisableSigusr1, nodeFlagsForRun, sigusr1Disabled } from './node-flags.js';
export { runArgv, withoutGuardedVariables } from './launch.js';
export { GUARDED_VARIABLES, guardedVariable, type GuardedVariable } from './guarded-variables.js';

/** Throws the first reason teeinit must not run here. */
export function preflight(): void {
  checkInspector();
}
