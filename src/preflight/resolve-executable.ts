// Looks argv[0] up the way execvp(3) does, but in the PATH of the child's environment, so a
// missing binary is reported before spawning as "not found" (127) or "not executable" (126).
import { stat } from 'node:fs/promises';
import { delimiter, resolve } from 'node:path';

/** Used when the child's environment has no PATH (inheritEnv: false without PATH). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type Resolution =
  | { readonly kind: 'found'; readonly file: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-executable'; readonly file: string };

/** Resolves a command against PATH (or relative to cwd when it contains a slash). */
export async function resolveExecutable(
  command: string,
  pathVar: string | undefined,
  cwd: string | undefined,
): Promise<Resolution> {
  const base = cwd ?? process.cwd();
  if (command.length === 0) return { kind: 'not-found' };
  if (command.includes('/')) return check(resolve(base, command));
  let denied: Resolution | undefined;
  for (const dir of (pathVar ?? DEFAULT_PATH).split(delimiter)) {
    // An empty PATH entry means the current directory, as in execvp.
    const result = await check(resolve(base, dir === '' ? '.' : dir, command));
    if (result.kind === 'found') return result;
    if (result.kind === 'not-executable') denied ??= result;
  }
  return denied ?? { kind: 'not-found' };
}

async function check(file: string): Promise<Resolution> {
  try {
    const info = await stat(file);
    if (info.isFile() && (info.mode & 0o111) !== 0) return { kind: 'found', file };
    return { kind: 'not-executable', file };
  } catch {
    return { kind: 'not-found' };
  }
}
