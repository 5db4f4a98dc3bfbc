// Checks made by `run` after the config is loaded and before anything else (no status
// port, no network call, no file). checkHost: the process teeinit runs in — no variable of
// the environment that changes Node or an HTTP client unless the config accepts it, Node's
// inspector closed, and an init above teeinit to reap orphans unless the config allows
// PID 1. checkSpawnable: everything spawn, the file writer and the secrets directory could
// refuse. Each check throws its own TeeinitError.
import type { Config } from '../config/types.js';
import { checkEnvironment } from './environment.js';
import { checkInspector } from './inspector.js';
import { checkPid1 } from './pid1.js';

export { acceptedVariables } from './environment.js';
export { checkSpawnable, type SpawnCheckOptions } from './spawn-checks.js';
export { canDisableSigusr1, nodeFlagsForRun, sigusr1Disabled } from './node-flags.js';
export { runArgv, withoutGuardedVariables } from './launch.js';
export {
  GUARDED_VARIABLES,
  guardedVariable,
  type GuardedVariable,
} from '../config/guarded-variables.js';

/** Throws the first reason teeinit must not run here. */
export function checkHost(config: Config, env: NodeJS.ProcessEnv): void {
  checkEnvironment(config, env);
  checkInspector();
  checkPid1(config);
}
