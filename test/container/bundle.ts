// teeinit's production bundle as the Dockerfiles ship it (/opt/teeinit): `npm run bundle`
// writes teeinit.mjs and THIRD-PARTY-NOTICES.txt, and the images copy exactly those two
// files; here the same bundler (scripts/bundle.ts) writes them into a temp /opt/teeinit, so
// a run from it proves the shipped file needs no node_modules and no devDependency.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleTeeinit, type BundleOutput } from '../../scripts/bundle.js';

/** A bundle directory and how to remove it. */
export interface Bundle extends BundleOutput {
  /** The bundle root (the image's /opt/teeinit). */
  readonly dir: string;
  /** The CLI inside the bundle (the image's ENTRYPOINT script). */
  readonly cli: string;
  remove(): void;
}

/** Bundles into a fresh temp dir (`<tmp>/opt/teeinit`); dist/src must be built. */
export async function buildBundle(): Promise<Bundle> {
  const root = mkdtempSync(join(tmpdir(), 'teeinit-bundle-'));
  const dir = join(root, 'opt', 'teeinit');
  try {
    const out = await bundleTeeinit(dir);
    return {
      ...out,
      dir,
      cli: out.file,
      remove: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

let cached: Promise<Bundle> | undefined;

/** One bundle per test file: built on first use; `removeSharedBundle()` in an after hook. */
export function sharedBundle(): Promise<Bundle> {
  cached ??= buildBundle();
  return cached;
}

/** Removes the shared bundle if it was built. */
export async function removeSharedBundle(): Promise<void> {
  const built = cached;
  cached = undefined;
  (await built?.catch(() => undefined))?.remove();
}
