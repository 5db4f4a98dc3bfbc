// `teeinit shares split`: the dealer's one-time step. Splits a fresh random 32-byte secret
// (or the one of --secret-file) into N share files, any T of which recover it; each file
// 0600, created new in DIR. Prints the key id, the files and what to do with each; never
// the secret or a share.
import { existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TeeinitError } from '../../errors/index.js';
import { formatShare, freshSecret, keyIdOf, splitSecret } from '../../keys/index.js';
import type { CliIo } from '../io.js';
import type { SplitArgs } from '../parse-shares-line.js';
import { readSecretFile, writeNewFile } from './share-files.js';

/** share-1-of-3, share-2-of-3, …: which one a collaborator holds is in its name. */
export function shareFileName(index: number, total: number): string {
  return `share-${index}-of-${total}`;
}

/** Writes the share files; resolves to 0. Throws TEEINIT_SHARES_* naming a path. */
export async function sharesSplitCommand(args: SplitArgs, io: CliIo): Promise<number> {
  const dir = resolve(args.out);
  const paths = Array.from({ length: args.shares }, (_, i) =>
    join(dir, shareFileName(i + 1, args.shares)),
  );
  prepareDir(dir, paths);
  const secret = args.secretFile === undefined ? freshSecret() : readSecretFile(args.secretFile);
  const written: string[] = [];
  try {
    const keyId = keyIdOf(secret);
    const shares = await splitSecret(secret, args.shares, args.threshold);
    try {
      shares.forEach((share, i) => {
        const path = paths[i] ?? '';
        writeNewFile(path, formatShare(share), 'share file');
        written.push(path);
      });
    } finally {
      for (const share of shares) share.y.fill(0);
    }
    io.stdout.write(report(args, dir, paths, keyId, secret.length));
    return 0;
  } catch (error) {
    // No half ceremony: the files already written go too.
    for (const path of written) unlinkQuietly(path);
    throw error;
  } finally {
    secret.fill(0);
  }
}

/** Creates DIR (0700) when missing; refuses before writing anything if a file is there. */
function prepareDir(dir: string, paths: readonly string[]): void {
  const fail = (why: string, cause?: unknown): TeeinitError =>
    new TeeinitError(
      'TEEINIT_SHARES_OUTPUT',
      `Cannot write the share files into "${dir}": ${why}.`,
      {
        fields: { file: dir },
        ...(cause === undefined ? {} : { cause }),
      },
    );
  const kind = entryKind(dir);
  if (kind === 'symlink') {
    throw fail('it is a symbolic link; name the directory itself (the share files are secret)');
  }
  if (kind === 'other') throw fail('it is not a directory');
  if (kind === 'missing') {
    try {
      makeDirs(dir);
    } catch (cause) {
      throw fail(cause instanceof Error ? cause.message : String(cause), cause);
    }
  }
  const taken = paths.filter((p) => existsSync(p));
  if (taken.length > 0) {
    throw fail(
      `${taken.join(', ')} exist${taken.length === 1 ? 's' : ''}, and teeinit never overwrites a share file`,
    );
  }
}

/**
 * Creates `dir` and its missing parents, each 0700, one mkdir per component. Not
 * mkdirSync's `recursive`: where mkdir answers ENOENT under a parent that exists (/proc),
 * Node's recursive mkdir retries for ever instead of failing.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d, { mode: 0o700 });
}

/** What is at `path`, without following a symbolic link. */
function entryKind(path: string): 'missing' | 'directory' | 'symlink' | 'other' {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return 'symlink';
    return st.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

function report(
  args: SplitArgs,
  dir: string,
  paths: readonly string[],
  keyId: string,
  bytes: number,
): string {
  const { threshold: t, shares: n } = args;
  const source =
    args.secretFile === undefined
      ? `a new random ${bytes}-byte secret`
      : `the ${bytes}-byte secret of ${args.secretFile}`;
  return [
    `split ${source} into ${n} shares; any ${t} of them recover it`,
    `key id: ${keyId}`,
    `share files (mode 0600; a share is secret and is never printed):`,
    ...paths.map((p) => `  ${p}`),
    '',
    'next:',
    `  1. give each file to a different collaborator, over a channel only that collaborator reads;`,
    `     keep no copy. Each stores its file unchanged in its own project and deletes it:`,
    `       gcloud secrets create SECRET --project PROJECT --replication-policy automatic`,
    `       gcloud secrets versions add SECRET --project PROJECT --data-file ${shareFileName(1, n)}`,
    `     and grants the image roles/secretmanager.secretAccessor on it (docs/psk.md).`,
    `  2. in the image's config, one secret per share and the key over them:`,
    `       keys: { NAME: { shares: [${Array.from({ length: Math.min(n, 3) }, (_, i) => `share${i + 1}`).join(', ')}${n > 3 ? ', …' : ''}], threshold: ${t} } }`,
    `  3. once every share is stored, remove the files: rm ${join(dir, `share-*-of-${n}`)}`,
    `  clients that need the key: teeinit shares combine (docs/psk.md#clients).`,
    '',
  ].join('\n');
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
