// How long the emulator's access tokens live (STS `expires_in`, the generateAccessToken
// default and ceiling, metadata tokens): the config's `accessTokens` resolved with defaults.
import { TeeinitError } from '../src/errors/index.js';

/** Google's ceiling for access tokens: 12 h (with the lifetime-extension org policy). */
export const MAX_ACCESS_TOKEN_SECONDS = 43_200;

/** Google's default and, without the org policy, maximum: 1 h. */
export const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;

const invalid = (message: string): TeeinitError =>
  new TeeinitError('TEEINIT_CONFIG_INVALID', `Emulator config: ${message}`, {
    hint: 'See docs/emulator.md#access-tokens.',
  });

/**
 * How long access tokens live. `lifetimeSeconds` is the STS's `expires_in` and the
 * generateAccessToken default; a requested `lifetime` above `maxLifetimeSeconds` is refused
 * like Google does without the `iam.allowServiceAccountCredentialLifetimeExtension` policy.
 * @example { lifetimeSeconds: 600, maxLifetimeSeconds: 3600 }
 */
export interface AccessTokenPolicy {
  /** Default 3600. */
  readonly lifetimeSeconds: number;
  /** Default 3600, or `lifetimeSeconds` when that is larger; at most 43200. */
  readonly maxLifetimeSeconds: number;
}

// Fills in the defaults and checks lifetime ≤ max, once, at start: `override`
// (`--access-token-lifetime`, `StartEmulatorOptions.accessTokenLifetimeSeconds`) wins over
// the config's lifetime, so it can bring a lifetime under the config's ceiling.
export function accessTokenPolicy(
  given: Partial<AccessTokenPolicy>,
  override?: number,
): AccessTokenPolicy {
  const lifetimeSeconds = override ?? given.lifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_SECONDS;
  const valid = Number.isInteger(lifetimeSeconds) && lifetimeSeconds >= 1;
  if (!valid || lifetimeSeconds > MAX_ACCESS_TOKEN_SECONDS) {
    throw invalid(
      `access token lifetime: expected 1..${MAX_ACCESS_TOKEN_SECONDS} seconds, got ${lifetimeSeconds}`,
    );
  }
  const maxLifetimeSeconds =
    given.maxLifetimeSeconds ?? Math.max(DEFAULT_ACCESS_TOKEN_SECONDS, lifetimeSeconds);
  if (lifetimeSeconds > maxLifetimeSeconds) {
    const source =
      override !== undefined
        ? '--access-token-lifetime'
        : given.lifetimeSeconds !== undefined
          ? 'accessTokens.lifetimeSeconds'
          : 'the default access token lifetime';
    throw invalid(
      `${source}: ${lifetimeSeconds} is above accessTokens.maxLifetimeSeconds (${maxLifetimeSeconds})`,
    );
  }
  return { lifetimeSeconds, maxLifetimeSeconds };
}
