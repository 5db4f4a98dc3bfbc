// `teeinit version`: teeinit's package version and the Node.js version running it.
import { readFileSync } from 'node:fs';
import type { CliIo } from '../io.js';

// Set by the production bundle (scripts/bundle.ts), which ships no package.json.
declare const TEEINIT_BUNDLED_VERSION: string | undefined;

/** The version from package.json (dist/src/cli/commands → repo root is four levels up). */
export function packageVersion(): string {
  if (typeof TEEINIT_BUNDLED_VERSION === 'string') return TEEINIT_BUNDLED_VERSION;
  const pkg = JSON.parse(
    readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
  ) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** Prints `teeinit X.Y.Z (node vA.B.C)`. */
export function versionCommand(io: CliIo): number {
  io.stdout.write(`teeinit ${packageVersion()} (node ${process.version})\n`);
  return 0;
}
