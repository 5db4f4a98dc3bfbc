// The operator's environment reaches teeinit before any of its code runs: Node reads
// NODE_OPTIONS, NODE_EXTRA_CA_CERTS, OPENSSL_CONF… at start, and the HTTP clients read the
// proxy variables on each call. `run` therefore refuses to start while a guarded variable
// (guarded-variables.ts) is set and not accepted by the config, naming the variable (never
// its value) — and always while Node's own clients would use the proxy variables.
import type { Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { GUARDED_VARIABLES, type GuardedVariable } from '../config/guarded-variables.js';

/** How many refused variables one message names; the rest are counted. */
const NAMED = 3;

/** The guarded variables set (non-empty) in `env` and accepted by the config. */
export function acceptedVariables(config: Config, env: NodeJS.ProcessEnv): string[] {
  return GUARDED_VARIABLES.filter((v) => isSet(env, v.name))
    .map((v) => v.name)
    .filter((name) => config.environment.accept.includes(name));
}

/** Throws TEEINIT_ENV_REFUSED for every guarded variable set that the config does not accept. */
export function checkEnvironment(
  config: Config,
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[] = process.execArgv,
): void {
  const refused: GuardedVariable[] = GUARDED_VARIABLES.filter(
    (v) => isSet(env, v.name) && !(v.acceptable && config.environment.accept.includes(v.name)),
  );
  const [first, ...rest] = refused;
  if (first !== undefined) {
    const more = rest.length === 0 ? '' : ` Also set: ${names(rest)}.`;
    const fix = first.acceptable
      ? 'environment.accept does not list it'
      : 'teeinit never runs with it';
    throw new TeeinitError(
      'TEEINIT_ENV_REFUSED',
      `Environment variable ${first.name} is set (it ${first.why}) and ${fix}.${more}`,
      { fields: { variables: refused.map((v) => v.name).join(',') } },
    );
  }
  // Node 24's --use-env-proxy does what NODE_USE_ENV_PROXY does, from the command line or
  // from an accepted NODE_OPTIONS.
  const flags = [...(env.NODE_OPTIONS ?? '').split(/\s+/), ...execArgv];
  if (flags.some((f) => f === '--use-env-proxy' || f.startsWith('--use-env-proxy='))) {
    throw new TeeinitError(
      'TEEINIT_ENV_REFUSED',
      "Node was started with --use-env-proxy: its own fetch and https would use the proxy variables, and teeinit's calls to Google never go through a proxy.",
      { fields: { variables: '--use-env-proxy' } },
    );
  }
}

function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  // An empty value changes nothing for Node or the HTTP clients (it is how one unsets a
  // proxy in an image), so only a non-empty one counts.
  return Object.hasOwn(env, name) && (env[name] ?? '') !== '';
}

function names(vars: readonly GuardedVariable[]): string {
  const shown = vars.slice(0, NAMED).map((v) => v.name);
  return vars.length > NAMED
    ? `${shown.join(', ')} and ${vars.length - NAMED} more`
    : shown.join(', ');
}
