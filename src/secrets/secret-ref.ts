// Secret Manager version names and the URL each is accessed at: global names go to
// `endpoints.secretManager`, regional names (`projects/P/locations/L/...`) to
// `endpoints.secretManagerRegional` with `{location}` filled in.
import type { EndpointsConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';

/** The parts of `projects/P/[locations/L/]secrets/S/versions/V`. */
export interface SecretRef {
  readonly project: string;
  readonly location?: string;
  readonly secret: string;
  readonly version: string;
}

const REF = /^projects\/([^/]+)\/(?:locations\/([^/]+)\/)?secrets\/([^/]+)\/versions\/([^/]+)$/;
const SEGMENT = /^[A-Za-z0-9_.@-]+$/;

/** Parses a version name; the config schema checks the shape too, this guards the URL. */
export function parseSecretRef(ref: string, secretName: string): SecretRef {
  const m = REF.exec(ref);
  const parts = m ? [m[1], m[2], m[3], m[4]] : [];
  if (!m || parts.some((p) => p !== undefined && !SEGMENT.test(p))) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `secrets.${secretName}.ref "${ref}" is not a Secret Manager version name (expected projects/P/secrets/S/versions/V or projects/P/locations/L/secrets/S/versions/V).`,
      { fields: { secret: secretName } },
    );
  }
  return {
    project: m[1]!,
    ...(m[2] !== undefined ? { location: m[2] } : {}),
    secret: m[3]!,
    version: m[4]!,
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
