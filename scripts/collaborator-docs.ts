// The docs' generated collaborator blocks: a marker line
// `<!-- teeinit collaborators ARGS -->` followed by a ```sh block holding exactly what that
// command prints, with the sample digests shown as the shell variables the docs use
// ($DIGEST, $CLIENT_DIGEST). Run (after `npx tsc -p .`) `node dist/scripts/collaborator-docs.js`
// to rewrite every block; test/docs/collaborator-docs.test.ts keeps them equal.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file runs as dist/scripts/collaborator-docs.js). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The documents with generated blocks. */
export const COLLABORATOR_DOCS = [
  'docs/deployment.md',
  'examples/redis/README.md',
  'examples/envoy-http/README.md',
  'examples/envoy-tcp/README.md',
  'examples/postgres/README.md',
  'examples/psk/README.md',
] as const;

const sample = (name: string): string =>
  `sha256:${createHash('sha256').update(`teeinit docs ${name}`).digest('hex')}`;

/** The shell variables a marker may use for digests, and the digest each stands for. */
export const DIGEST_VARIABLES: Readonly<Record<string, string>> = {
  DIGEST: sample('DIGEST'),
  CLIENT_DIGEST: sample('CLIENT_DIGEST'),
};

const MARKER = /^<!-- (teeinit collaborators .*) -->$/;

/** One generated block of a document: its command and the lines of its body. */
export interface CollaboratorBlock {
  readonly command: string;
  /** 0-based line of the marker. */
  readonly line: number;
  /** Body lines (between the fences), and where they are. */
  readonly body: string;
  readonly start: number;
  readonly end: number;
}

/** Every marker and the ```sh block after it; throws when a marker has none. */
export function collaboratorBlocks(text: string, doc: string): CollaboratorBlock[] {
  const lines = text.split('\n');
  const blocks: CollaboratorBlock[] = [];
  lines.forEach((l, i) => {
    const m = MARKER.exec(l);
    if (m === null) return;
    if (lines[i + 1] !== '```sh')
      throw new Error(`${doc}:${i + 2}: a \`\`\`sh block must follow the marker`);
    const end = lines.indexOf('```', i + 2);
    if (end < 0) throw new Error(`${doc}:${i + 2}: unterminated block`);
    blocks.push({
      command: m[1]!,
      line: i,
      body: lines.slice(i + 2, end).join('\n'),
      start: i + 2,
      end,
    });
  });
  return blocks;
}

/** The marker's words as a shell would split them, quotes removed, digest variables filled in. */
export function commandArgs(command: string): string[] {
  const words = command.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  return words.map((w) =>
    w
      .replace(/^(["'])(.*)\1$/, '$2')
      .replace(/\$([A-Z_]+)/g, (all, name: string) => DIGEST_VARIABLES[name] ?? all),
  );
}

/** What the marker's command prints, digests shown as their variables. */
export function generateBlock(command: string): string {
  const [teeinit, ...args] = commandArgs(command);
  if (teeinit !== 'teeinit') throw new Error(`not a teeinit command: ${command}`);
  const r = spawnSync(process.execPath, [join(REPO, 'dist/src/cli/main.js'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`${command} exited ${String(r.status)}: ${r.stderr}`);
  let out = r.stdout.replace(/\n$/, '');
  for (const [name, digest] of Object.entries(DIGEST_VARIABLES))
    out = out.replaceAll(digest, `$${name}`);
  return out;
}

/** Rewrites every block of every document. */
function main(): void {
  for (const doc of COLLABORATOR_DOCS) {
    const path = join(REPO, doc);
    const lines = readFileSync(path, 'utf8').split('\n');
    for (const b of collaboratorBlocks(lines.join('\n'), doc).reverse()) {
      lines.splice(b.start, b.end - b.start, ...generateBlock(b.command).split('\n'));
    }
    writeFileSync(path, lines.join('\n'));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
