// For whoever starts `teeinit run` from a program (the demo, the tests, the benchmarks):
// the Node flags this Node needs, and an environment without the variables teeinit
// refuses (a developer machine or CI may set NODE_EXTRA_CA_CERTS or a proxy globally).
import { guardedVariable } from '../config/guarded-variables.js';
import { nodeFlagsForRun } from './node-flags.js';

/** `[...node flags, script, ...args]`: the argv after process.execPath. */
export function runArgv(script: string, args: readonly string[]): string[] {
  return [...nodeFlagsForRun(), script, ...args];
}

/** `env` without any guarded variable (it is not changed). */
export function withoutGuardedVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => guardedVariable(name) === undefined),
  );
}
