// The docs cannot drift from `teeinit collaborators`: every generated block of the examples'
// READMEs and docs/deployment.md is exactly what its marker's command prints (digests shown
// as $DIGEST / $CLIENT_DIGEST), the command is shown to the reader next to it, and every
// example README has one block per collaborator of its config.
// Regenerate with `npx tsc -p . && node dist/scripts/collaborator-docs.js`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  collaboratorBlocks,
  COLLABORATOR_DOCS,
  commandArgs,
  generateBlock,
  REPO,
} from '../../scripts/collaborator-docs.js';

const T = { timeout: 60_000 };

describe('docs: generated collaborator commands', () => {
  for (const doc of COLLABORATOR_DOCS) {
    test(`${doc}: each block is what its command prints`, T, () => {
      const text = readFileSync(join(REPO, doc), 'utf8');
      const blocks = collaboratorBlocks(text, doc);
      assert.ok(blocks.length > 0, `${doc} has a generated block`);
      const lines = text.split('\n');
      for (const b of blocks) {
        const shown = lines.slice(Math.max(0, b.line - 12), b.line).join('\n');
        assert.ok(
          shown.includes(`\`${b.command}\``),
          `${doc}:${b.line + 1}: the command is shown before its block`,
        );
        assert.equal(
          b.body,
          generateBlock(b.command),
          `${doc}:${b.line + 1}: regenerate with node dist/scripts/collaborator-docs.js`,
        );
      }
    });
  }

  test('each example README has a block for every collaborator of its config', T, () => {
    for (const doc of COLLABORATOR_DOCS.filter((d) => d.startsWith('examples/'))) {
      const config = doc.replace(/README\.md$/, 'teeinit.yaml');
      const tree = parse(readFileSync(join(REPO, config), 'utf8')) as {
        collaborators: Record<string, unknown>;
      };
      const covered = collaboratorBlocks(readFileSync(join(REPO, doc), 'utf8'), doc)
        .map((b) => commandArgs(b.command))
        .filter((args) => args[args.indexOf('-c') + 1] === config)
        .map((args) => args[args.indexOf('--collaborator') + 1]);
      assert.deepEqual(covered.sort(), Object.keys(tree.collaborators).sort(), doc);
    }
  });
});
