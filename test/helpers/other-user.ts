// Files for a child that runs as another user (nobody, redis, postgres), wherever the
// checkout lies: a 0700 home or a `mktemp -d` folder above dist/ hides the compiled
// fixtures, and a node installed inside such a folder hides node itself. This gives a
// fresh 0755 directory under a parent every user can search, copies what the child needs
// into it, and says which node the user can execute.
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveUser } from '../../src/preflight/users.js';
import { deniedPath, type RunAs } from '../../src/preflight/user-access.js';

/** Compiled fixtures (dist/test/fixtures). */
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A directory `who` can read, with copies of what a child running as `who` needs. */
export interface ReadableDir {
  readonly dir: string;
  /** Copies a self-contained compiled fixture here (as an ES module); returns its path. */
  fixture(name: string): string;
  /** process.execPath when `who` can execute it where it lies, else a copy here. */
  node(): Promise<string>;
  remove(): void;
}

/** `nobody` as the tests run children: its uid and primary gid. */
export function nobody(): RunAs {
  const user = resolveUser('nobody');
  return { uid: user.uid, gid: user.gid };
}

/** Why: a child as another user must not depend on the checkout's location. */
export async function readableDir(prefix: string, who: RunAs = nobody()): Promise<ReadableDir> {
  const dir = await searchableTempDir(prefix, who);
  let node: string | undefined;
  return {
    dir,
    fixture(name) {
      const source = readFileSync(join(FIXTURES, `${name}.js`), 'utf8');
      if (/^import\s.*\sfrom\s+['"]\./m.test(source)) {
        throw new Error(`fixture ${name} imports other files: it cannot be copied alone`);
      }
      const path = join(dir, `${name}.mjs`);
      writeFileSync(path, source, { mode: 0o644 });
      chmodSync(path, 0o644);
      return path;
    },
    async node() {
      if (node !== undefined) return node;
      if ((await deniedPath(process.execPath, who, 'x')) === undefined) {
        node = process.execPath;
      } else {
        node = join(dir, 'node');
        copyFileSync(process.execPath, node);
        chmodSync(node, 0o755);
      }
      return node;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh 0755 directory under the first of TMPDIR, /tmp, /dev/shm that `who` can search. */
async function searchableTempDir(prefix: string, who: RunAs): Promise<string> {
  for (const parent of [tmpdir(), '/tmp', '/dev/shm']) {
    if ((await deniedPath(parent, who, 'x').catch(() => parent)) !== undefined) continue;
    const dir = mkdtempSync(join(parent, prefix));
    chmodSync(dir, 0o755);
    return dir;
  }
  throw new Error(`no temporary directory that uid ${who.uid} can search`);
}
