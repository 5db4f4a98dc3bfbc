// `environment.accept` names variables `run` may find set: each must be one teeinit guards
// (a name it does not guard needs no accepting, so it is a typo) and one that can be
// accepted at all (NODE_TLS_REJECT_UNAUTHORIZED and NODE_USE_ENV_PROXY never are).
import { guardedVariable } from '../guarded-variables.js';
import type { Config } from '../types.js';
import { invalidAt, keyPath } from './errors.js';

// Checks every accepted name.
export function checkEnvironment(config: Config, _warnings: string[]): void {
  config.environment.accept.forEach((name, i) => {
    const guarded = guardedVariable(name);
    const at = keyPath('environment', 'accept', i);
    if (guarded === undefined) {
      throw invalidAt(
        at,
        'not a variable teeinit refuses, so it needs no accepting (the list is in docs/configuration.md#environment)',
      );
    }
    if (!guarded.acceptable) throw invalidAt(at, 'this variable is never accepted');
  });
}
