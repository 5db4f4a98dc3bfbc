// The third-party notices shipped beside the production bundle: for every package whose code
// the bundle contains, its name, version, declared license and the license text it ships.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDirOf } from './runtime-packages.js';

/** One package inside the bundle. */
export interface BundledPackage {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  /** The package's directory (e.g. REPO/node_modules/gaxios). */
  readonly dir: string;
}

/** Package directories of esbuild metafile inputs (`node_modules/a/node_modules/@s/b/x.js`). */
export function bundledPackageDirs(inputs: readonly string[], root: string): string[] {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const dir = packageDirOf(input);
    if (dir !== undefined) dirs.add(join(root, dir));
  }
  return [...dirs].sort();
}

/** Name, version and license of the package in `dir`. */
export function readPackage(dir: string): BundledPackage {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
    license?: string;
  };
  if (!pkg.name || !pkg.version) throw new Error(`${dir}/package.json has no name or version`);
  return { name: pkg.name, version: pkg.version, license: pkg.license ?? 'UNKNOWN', dir };
}

/** The license text a package ships: its LICENSE/COPYING/NOTICE files, else its README's
 * License section. Throws when there is none: nothing ships without its notice. */
export function licenseText(pkg: BundledPackage): string {
  const files = readdirSync(pkg.dir)
    .filter((f) => /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i.test(f))
    .sort();
  if (files.length > 0) {
    return files.map((f) => readFileSync(join(pkg.dir, f), 'utf8').trim()).join('\n\n');
  }
  const readme = readdirSync(pkg.dir).find((f) => /^readme(\.md)?$/i.test(f));
  const text = readme === undefined ? '' : readFileSync(join(pkg.dir, readme), 'utf8');
  const section =
    /^(?:#+ *)?Licen[cs]e\s*\n(?:[-=]+\s*\n)?([\s\S]+?)(?=\n#+ |\n\S[^\n]*\n[-=]{3,}\n|\n\[[^\]]+\]: |(?![\s\S]))/im
      .exec(text)?.[1]
      ?.trim();
  if (!section) throw new Error(`${pkg.name}@${pkg.version} ships no license text`);
  return section;
}

/** The whole notices file for `packages`. */
export function formatNotices(packages: readonly BundledPackage[]): string {
  const header =
    'Third-party software in teeinit.mjs (the teeinit production bundle).\n' +
    'Each package below is included under the license it declares; its license text follows.\n';
  const parts = packages.map((p) => {
    const title = `${p.name}@${p.version} (${p.license})`;
    return `${'='.repeat(78)}\n${title}\n${'='.repeat(78)}\n\n${licenseText(p)}\n`;
  });
  return [header, ...parts].join('\n');
}
