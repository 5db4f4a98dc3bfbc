// teeinit's production bundle as the Dockerfiles assemble it (/opt/teeinit): dist/src,
// package.json and only the runtime node_modules (`npm ls --omit=dev`), so a run from it
// proves the shipped runtime needs nothing from devDependencies.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { REPO } from '../examples/harness.js';

/** A bundle directory and how to remove it. */
export interface Bundle {
  /** The bundle root (the image's /opt/teeinit). */
  readonly dir: string;
  /** The CLI inside the bundle. */
  readonly cli: string;
  /** Runtime packages copied, relative to node_modules (e.g. `yaml`, `gaxios`). */
  readonly packages: readonly string[];
  remove(): void;
}

/** Runtime package directories under REPO/node_modules, outermost first, deduplicated. */
export function runtimePackagePaths(): string[] {
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  const modules = join(REPO, 'node_modules') + sep;
  const paths = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(modules))
    .map((l) => relative(join(REPO, 'node_modules'), l))
    .sort((a, b) => a.length - b.length);
  if (paths.length === 0) throw new Error(`npm ls listed no runtime packages: ${r.stderr}`);
  // A nested package (a/node_modules/b) comes with its parent's copy.
  const kept: string[] = [];
  for (const p of paths) {
    if (!kept.some((k) => p.startsWith(k + sep))) kept.push(p);
  }
  return kept;
}

/** Copies the bundle into a fresh temp dir (`<tmp>/opt/teeinit`). */
export function buildBundle(): Bundle {
  const root = mkdtempSync(join(tmpdir(), 'teeinit-bundle-'));
  const dir = join(root, 'opt', 'teeinit');
  const cli = join(dir, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(join(REPO, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/src is not built (run `npx tsc -p .`)');
  }
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  cpSync(join(REPO, 'dist', 'src'), join(dir, 'dist', 'src'), { recursive: true });
  const packages = runtimePackagePaths();
  for (const p of packages) {
    cpSync(join(REPO, 'node_modules', p), join(dir, 'node_modules', p), {
      recursive: true,
      verbatimSymlinks: true,
    });
  }
  return { dir, cli, packages, remove: () => rmSync(root, { recursive: true, force: true }) };
}

let cached: Bundle | undefined;

/** One bundle per test file: built on first use; `removeSharedBundle()` in an after hook. */
export function sharedBundle(): Bundle {
  cached ??= buildBundle();
  return cached;
}

/** Removes the shared bundle if it was built. */
export function removeSharedBundle(): void {
  cached?.remove();
  cached = undefined;
}
