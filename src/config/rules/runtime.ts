// Fetch limits, endpoints and what the operator may set: backoffs within their caps,
// Google endpoints over https (plain http only to loopback, for the emulator), override
// patterns that compile and defaults that match them, and `environment.accept`, the
// variables `run` may find set: each must be one teeinit guards (a name it does not guard
// needs no accepting, so it is a typo) and one that can be accepted at all
// (NODE_TLS_REJECT_UNAUTHORIZED and NODE_USE_ENV_PROXY never are).
import { guardedVariable } from '../guarded-variables.js';
import type { Config } from '../types.js';
import { invalidAt, keyPath } from './errors.js';

// Checks fetch, endpoints and overrides.
export function checkRuntime(config: Config, _warnings: string[]): void {
  const f = config.fetch;
  if (f.initialBackoff > f.maxBackoff)
    throw invalidAt('fetch.initialBackoff', 'expected at most fetch.maxBackoff');
  if (f.callTimeout > f.startupDeadline)
    throw invalidAt('fetch.callTimeout', 'expected at most fetch.startupDeadline');
  for (const [key, value] of Object.entries(config.endpoints) as [string, string][]) {
    const url = new URL(value.replace('{location}', 'location'));
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw invalidAt(
        keyPath('endpoints', key),
        'expected https:// (http:// only to a loopback emulator)',
      );
    }
  }
  for (const [name, o] of Object.entries(config.overrides.env)) {
    const pattern = compileOverridePattern(o.pattern);
    if (!pattern)
      throw invalidAt(
        keyPath('overrides', 'env', name, 'pattern'),
        'expected a valid regular expression',
      );
    if (o.default !== undefined && !pattern.test(o.default)) {
      throw invalidAt(
        keyPath('overrides', 'env', name, 'default'),
        'expected a default that matches the pattern',
      );
    }
  }
}

/** The pattern anchored at both ends (so "[0-9]+" cannot match "1; rm -rf /"). */
export function compileOverridePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}

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
