// The two configs of docs/attested-channel.md's worked example, read from the page itself
// (the ```yaml blocks whose first line is `# ledger: …` and `# caller: …`), so the tests run
// exactly what the page shows.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../../src/config/parse-file.js';
import { fences } from '../docs/markdown.js';
import type { ExampleTree } from '../examples/example-config.js';

/** docs/attested-channel.md (this file runs as dist/test/attest/worked-example.js). */
export const ATTESTED_DOC = fileURLToPath(
  new URL('../../../docs/attested-channel.md', import.meta.url),
);

export type ExampleSide = 'ledger' | 'caller';

/** The image digests the two configs pin (each the other's). */
export const LEDGER_DIGEST =
  'sha256:083e326a0b58aa1bbe42413c570c34eab3980d7d137250e33986cd7b1169e20e';
export const CALLER_DIGEST =
  'sha256:7c573ba8fba1f35e3595b54db00273ba38a620ef658a3953b8e91fab15cdf0f7';
export const EXAMPLE_AUDIENCE = 'https://ledger.example/attested';

/** The parsed config of one side (a fresh copy on every call). */
export function workedExample(side: ExampleSide): ExampleTree {
  const doc = readFileSync(ATTESTED_DOC, 'utf8');
  const found = fences(doc).filter((f) => f.info === 'yaml' && f.body.startsWith(`# ${side}: `));
  if (found.length !== 1) {
    throw new Error(`expected one yaml block starting "# ${side}: " in ${ATTESTED_DOC}`);
  }
  // teeinit's own parser (aliases as teeinit resolves them).
  return parseConfigText(found[0]!.body, `${side}.yaml`) as ExampleTree;
}
