// User and group lookup from /etc/passwd and /etc/group (parsed here, no shelling out, no
// NSS): the image is the source of truth for users, as in a distroless container.
import { readFileSync } from 'node:fs';
import { TeeinitError } from '../errors/index.js';

/** A user as the writer (file owner) and the supervisor (process user) need it. */
export interface ResolvedUser {
  readonly name: string;
  readonly uid: number;
  /** Primary group. */
  readonly gid: number;
  readonly home: string;
}

/** Where the account databases live (tests point these at fixtures). */
export interface AccountFiles {
  readonly passwd?: string;
  readonly group?: string;
}

const NUMERIC = /^[0-9]+$/;
const MAX_ID = 0xfffffffe;

function readLines(path: string, what: string): string[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TeeinitError('TEEINIT_USER_UNKNOWN', `Cannot read ${path} to look up ${what}.`, {
      cause: error,
    });
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function parseId(text: string | undefined): number | undefined {
  if (text === undefined || !NUMERIC.test(text)) return undefined;
  const id = Number(text);
  return id <= MAX_ID ? id : undefined;
}

/**
 * Why: file owners and process users are configured by name (`postgres`) or number; both
 * map to uid/gid/home the same way for the writer and the supervisor. A number absent from
 * /etc/passwd is accepted with gid = uid and home `/` (images without a passwd entry).
 * @example resolveUser('redis') // → { name: 'redis', uid: 999, gid: 999, home: '/var/lib/redis' }
 */
export function resolveUser(name: string, files: AccountFiles = {}): ResolvedUser {
  const path = files.passwd ?? '/etc/passwd';
  const numeric = parseId(name);
  for (const f of readLines(path, `user "${name}"`)) {
    const [user, , uidText, gidText, , home] = f;
    const uid = parseId(uidText);
    const gid = parseId(gidText);
    if (user === undefined || uid === undefined || gid === undefined) continue;
    if (user === name || uid === numeric) return { name: user, uid, gid, home: home || '/' };
  }
  if (numeric !== undefined) return { name, uid: numeric, gid: numeric, home: '/' };
  throw new TeeinitError('TEEINIT_USER_UNKNOWN', `User "${name}" is not in ${path}.`, {
    fields: { user: name },
  });
}

/** Why: `group:` in files and processes names a group by name or number. */
export function resolveGroup(name: string, files: AccountFiles = {}): number {
  const path = files.group ?? '/etc/group';
  const numeric = parseId(name);
  for (const f of readLines(path, `group "${name}"`)) {
    const [group, , gidText] = f;
    const gid = parseId(gidText);
    if (group === undefined || gid === undefined) continue;
    if (group === name || gid === numeric) return gid;
  }
  if (numeric !== undefined) return numeric;
  throw new TeeinitError('TEEINIT_USER_UNKNOWN', `Group "${name}" is not in ${path}.`, {
    fields: { group: name },
  });
}

/** Why: an owner/group pair from the config becomes the uid/gid of a file. */
export function resolveOwner(
  owner: string | undefined,
  group: string | undefined,
  files: AccountFiles = {},
): { uid: number; gid: number } {
  const user = owner === undefined ? undefined : resolveUser(owner, files);
  const uid = user?.uid ?? process.getuid?.() ?? 0;
  const gid =
    group !== undefined ? resolveGroup(group, files) : (user?.gid ?? process.getgid?.() ?? 0);
  return { uid, gid };
}
