// Secret Manager version names and the URL each is accessed at: global names go to
// `endpoints.secretManager`, regional names (`projects/P/locations/L/...`) to
// `endpoints.secretManagerRegional` with `{location}` filled in.
import type { EndpointsConfig } from '../config/types.js';
import { SECRET_REF_RE } from '../config/rules/secrets.js';
import { TeeinitError } from '../errors/index.js';

/** The parts of `projects/P/[locations/L/]secrets/S/versions/V`. */
export interface SecretRef {
  readonly project: string;
  readonly location?: string;
  readonly secret: string;
  readonly version: string;
}

/**
 * Splits a version name. The grammar is the config's (SECRET_REF_RE), checked again here
 * because the ref becomes part of a URL and this function may be called on any string.
 */
export function parseSecretRef(ref: string, secretName: string): SecretRef {
  if (!SECRET_REF_RE.test(ref)) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `secrets.${secretName}.ref "${ref}" is not a Secret Manager version name (expected projects/P/secrets/S/versions/V or projects/P/locations/L/secrets/S/versions/V).`,
      { fields: { secret: secretName } },
    );
  }
  // projects/P/secrets/S/versions/V, or with locations/L/ after P: 6 or 8 segments.
  const parts = ref.split('/');
  return {
    project: parts[1]!,
    ...(parts.length === 8 ? { location: parts[3]! } : {}),
    secret: parts[parts.length - 3]!,
    version: parts[parts.length - 1]!,
  };
}

/** `GET` URL of `:access` for this ref. */
export function accessUrl(endpoints: EndpointsConfig, ref: string, parsed: SecretRef): string {
  const base =
    parsed.location === undefined
      ? endpoints.secretManager
      : endpoints.secretManagerRegional.replaceAll('{location}', parsed.location);
  return `${base.replace(/\/+$/, '')}/v1/${ref}:access`;
}

/** True when the ref follows whatever version is newest (`latest`), which we warn about. */
export function isFloatingVersion(parsed: SecretRef): boolean {
  return parsed.version === 'latest';
}
