// Operator overrides: the only operator input teeinit accepts. The VM operator controls
// the container's environment (`tee-env-*`), so a variable is used only when the image
// config allow-lists it in `overrides.env`, and only if it matches the anchored pattern.
import { TeeinitError } from '../errors/index.js';
import { compileOverridePattern } from './rules/runtime.js';
import type { Config } from './types.js';

/** Longer values are refused before the pattern runs (bounds regex work on hostile input). */
export const MAX_OVERRIDE_LENGTH = 4096;

/** Resolves every allow-listed variable from `env` (or its default); throws on a bad value. */
export function resolveOverrides(
  config: Config,
  env: NodeJS.ProcessEnv,
): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(config.overrides.env)) {
    const given = Object.hasOwn(env, name) ? env[name] : undefined;
    if (given === undefined) {
      if (spec.default === undefined) {
        throw rejected(
          name,
          `environment variable ${name} is not set and overrides.env.${name} has no default`,
        );
      }
      out[name] = spec.default;
      continue;
    }
    const pattern = compileOverridePattern(spec.pattern);
    if (!pattern)
      throw rejected(name, `overrides.env.${name}.pattern is not a valid regular expression`);
    if (given.length > MAX_OVERRIDE_LENGTH || !pattern.test(given)) {
      // Never echo the value: it is operator-controlled and may be long or hostile.
      throw rejected(
        name,
        `environment variable ${name} (${given.length} characters) does not match overrides.env.${name}.pattern`,
      );
    }
    out[name] = given;
  }
  return Object.freeze(out);
}

/** Extra command-line arguments (e.g. from the operator's `tee-cmd`) are never accepted. */
export function rejectExtraArgs(args: readonly string[]): void {
  if (args.length > 0) {
    throw new TeeinitError(
      'TEEINIT_OVERRIDE_REJECTED',
      `${args.length} extra command-line argument(s) rejected: argv comes from the image config, not the operator`,
      {
        hint: 'Remove the extra arguments (tee-cmd); allow-list operator inputs in `overrides.env` instead.',
      },
    );
  }
}

function rejected(name: string, message: string): TeeinitError {
  return new TeeinitError('TEEINIT_OVERRIDE_REJECTED', `${message}.`, {
    fields: { variable: name },
  });
}
