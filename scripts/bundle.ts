// The production bundle: the compiled CLI (dist/src, as tsc typechecked it) and its runtime
// dependencies in one ES module, teeinit.mjs, plus THIRD-PARTY-NOTICES.txt. Images copy
// these two files instead of dist/src and node_modules: Node then reads and compiles one
// file instead of resolving and loading a few hundred, which is most of start-up.
// `npm run bundle` writes them to dist/bundle; the container test bundles the same way.
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import {
  bundledPackageDirs,
  formatNotices,
  readPackage,
  type BundledPackage,
} from './license-notices.js';
import { packageDirOf, runtimePackagePaths } from './runtime-packages.js';

/** The repository root (dist/scripts → two levels up). */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** The bundle's entry point: tsc's output, so what ships is what was typechecked. */
const ENTRY = join(REPO, 'dist', 'src', 'cli', 'main.js');

/** File names inside the bundle directory (the image's /opt/teeinit). */
export const BUNDLE_FILE = 'teeinit.mjs';
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';

/** What bundleTeeinit wrote. */
export interface BundleOutput {
  /** Absolute path of teeinit.mjs. */
  readonly file: string;
  /** Absolute path of the notices file. */
  readonly notices: string;
  /** Every package whose code is inside teeinit.mjs. */
  readonly packages: readonly BundledPackage[];
}

// Bundled ESM has no `require`; the CommonJS dependencies call it for Node builtins only.
const BANNER = [
  "import { createRequire as __teeinitCreateRequire } from 'node:module';",
  'const require = __teeinitCreateRequire(import.meta.url);',
].join('\n');

/**
 * guarded-fetch.ts imports `node-fetch` to get the copy gaxios uses: resolve that import from
 * gaxios's own directory, exactly as Node resolves gaxios's `import('node-fetch')`.
 */
function nodeFetchAsGaxios(): Plugin {
  const fromRepo = createRequire(join(REPO, 'package.json'));
  const gaxios = fromRepo.resolve('gaxios', {
    paths: [dirname(fromRepo.resolve('google-auth-library'))],
  });
  return {
    name: 'node-fetch-as-gaxios',
    setup(b) {
      b.onResolve({ filter: /^node-fetch$/ }, (args) =>
        args.pluginData === 'gaxios' || !args.importer.endsWith('guarded-fetch.js')
          ? undefined
          : b.resolve('node-fetch', {
              kind: args.kind,
              resolveDir: dirname(gaxios),
              pluginData: 'gaxios',
            }),
      );
    },
  };
}

/**
 * Optional requires of packages that are installed only as devDependencies (debug's
 * `require('supports-color')` in a try/catch) stay unresolved, as in an image pruned with
 * `npm prune --omit=dev`: only runtime dependencies go into the bundle.
 */
function runtimeOnly(): Plugin {
  // esbuild reports real paths; node_modules may be a symlink (e.g. in a git worktree).
  const modules = realpathSync(join(REPO, 'node_modules'));
  const runtime = new Set(runtimePackagePaths(REPO).map((p) => join(modules, p)));
  return {
    name: 'runtime-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'runtime-only' || args.path.startsWith('node:')) return undefined;
        const found = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'runtime-only',
        });
        const dir = packageDirOf(found.path);
        if (found.errors.length > 0 || dir === undefined || runtime.has(dir)) return found;
        return { path: args.path, external: true };
      });
    },
  };
}

/** Bundles dist/src (built beforehand) into `outDir`; throws on any bundler warning. */
export async function bundleTeeinit(outDir: string): Promise<BundleOutput> {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const file = join(outDir, BUNDLE_FILE);
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    // Paths in the output's comments and the metafile are relative to the repository,
    // whatever the current directory: the same sources give the same bytes.
    absWorkingDir: REPO,
    entryPoints: [ENTRY],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: BANNER },
    define: { TEEINIT_BUNDLED_VERSION: JSON.stringify(pkg.version) },
    legalComments: 'eof',
    metafile: true,
    logLevel: 'silent',
    plugins: [nodeFetchAsGaxios(), runtimeOnly()],
  });
  if (result.warnings.length > 0) {
    const text = result.warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`).join('\n');
    throw new Error(`esbuild warnings (fix them, the bundle must be clean):\n${text}`);
  }
  const packages = bundledPackageDirs(Object.keys(result.metafile.inputs), REPO).map(readPackage);
  const notices = join(outDir, NOTICES_FILE);
  writeFileSync(notices, formatNotices(packages));
  return { file, notices, packages };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(REPO, 'dist', 'bundle'));
  const out = await bundleTeeinit(outDir);
  console.log(`${out.file} (${out.packages.length} packages inside)\n${out.notices}`);
}
