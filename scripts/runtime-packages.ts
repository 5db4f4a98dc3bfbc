// Which installed packages are runtime dependencies (`npm ls --omit=dev`): the only ones the
// production bundle may contain, as `npm prune --omit=dev` would have left them in an image.
import { spawnSync } from 'node:child_process';
import { join, relative, sep } from 'node:path';

/** Runtime package directories relative to `repo`/node_modules (e.g. `gaxios`, `a/node_modules/b`). */
export function runtimePackagePaths(repo: string): string[] {
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  const modules = join(repo, 'node_modules') + sep;
  const paths = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(modules))
    .map((l) => relative(join(repo, 'node_modules'), l));
  if (paths.length === 0) throw new Error(`npm ls listed no runtime packages: ${r.stderr}`);
  return paths.sort();
}

/** The package directory of a file under node_modules (`.../node_modules/@s/b`), if any. */
export function packageDirOf(file: string): string | undefined {
  return /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
}
