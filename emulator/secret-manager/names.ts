// Secret Manager resource names: parsing request paths (global and regional, project id or
// number) and formatting canonical names the way Google answers them (project NUMBER).

/** What a request path addresses. */
export interface SmPath {
  /** Project id or number as written in the request. */
  readonly project: string;
  readonly location?: string;
  readonly secretId?: string;
  /** True for `.../versions` and `.../versions/V`. */
  readonly versions: boolean;
  readonly version?: string;
  /** The custom method after `:`, e.g. `access`, `addVersion`. */
  readonly verb?: string;
}

const PATH_RE =
  /^\/v1\/projects\/([^/:]+)(?:\/locations\/([^/:]+))?\/secrets(?:\/([^/:]+)(?:\/(versions)(?:\/([^/:]+))?)?)?(?::([A-Za-z]+))?$/;

/** Parses `/v1/projects/P[/locations/L]/secrets[/S[/versions[/V]]][:verb]`; undefined if not one. */
export function parseSmPath(pathname: string): SmPath | undefined {
  const m = PATH_RE.exec(pathname);
  if (m === null) return undefined;
  const [, project, location, secretId, versions, version, verb] = m;
  if (project === undefined) return undefined;
  return {
    project: decodeURIComponent(project),
    ...(location === undefined ? {} : { location: decodeURIComponent(location) }),
    ...(secretId === undefined ? {} : { secretId: decodeURIComponent(secretId) }),
    versions: versions !== undefined,
    ...(version === undefined ? {} : { version: decodeURIComponent(version) }),
    ...(verb === undefined ? {} : { verb }),
  };
}

/** `projects/N[/locations/L]` */
export function parentName(projectNumber: string, location?: string): string {
  return location === undefined
    ? `projects/${projectNumber}`
    : `projects/${projectNumber}/locations/${location}`;
}

/** `projects/N[/locations/L]/secrets/S` */
export function secretName(projectNumber: string, secretId: string, location?: string): string {
  return `${parentName(projectNumber, location)}/secrets/${secretId}`;
}

/** `projects/N[/locations/L]/secrets/S/versions/V` */
export function versionName(
  projectNumber: string,
  secretId: string,
  version: string | number,
  location?: string,
): string {
  return `${secretName(projectNumber, secretId, location)}/versions/${version}`;
}

/** Secret ids Google accepts: letters, digits, `-` and `_`, at most 255. */
export const SECRET_ID_RE = /^[A-Za-z0-9_-]{1,255}$/;

/** IAM roles a binding may name: predefined `roles/X` or custom `projects/P/roles/X`. */
export const ROLE_RE = /^(roles|projects\/[^/]+\/roles)\/[\w.]+$/;

/** Version alias names Google accepts (`latest` is reserved; checked where aliases are set). */
export const VERSION_ALIAS_RE = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
