#!/usr/bin/env node
// Regenerates docs/errors.md from the built registry (run `npm run build` first).
import { writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../dist/src/errors/codes.js';

let out = `# Error codes

Every failure teeinit reports carries one of these codes, in the log line's \`code\` field
and in the one-line summary on stderr. The process exit code tells the class of failure
(sysexits(3) where one fits); when a supervised process exits, teeinit exits with that
process's code instead (128+n for a death by signal n).

This file is generated from \`src/errors/codes.ts\` by \`node scripts/gen-errors-doc.mjs\`;
a test keeps the two equal.

| code | exit |
| --- | --- |
`;
for (const [code, spec] of Object.entries(ERROR_CODES))
  out += `| [\`${code}\`](#${code.toLowerCase()}) | ${spec.exitCode} |\n`;
for (const [code, spec] of Object.entries(ERROR_CODES)) {
  out += `\n## \`${code}\`\n\nExit code: ${spec.exitCode}\n\n${spec.message}\n\n**Fix:** ${spec.fix}\n`;
}
writeFileSync(new URL('../docs/errors.md', import.meta.url), out);
