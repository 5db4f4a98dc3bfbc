// What can be checked with no network and no secret runs before the status endpoint or a
// proxy opens a port and before anything is fetched: every process can be spawned (its
// binary found in its own PATH and executable by its user, user and group known, teeinit
// allowed to switch to them, cwd a directory), every file owner exists, and the secrets
// directory is on tmpfs and safe. Spawn-time checks stay as a backstop for what only the
// material can tell (argv[0] or PATH built from `{{ value }}`).
import { open, stat } from 'node:fs/promises';
import type { ProcessConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { renderBeforeFetch } from '../plan/preview-template.js';
import type { Plan } from '../plan/types.js';
import { resolveExecutable } from './resolve-executable.js';
import { assertTmpfs, othersNeedAccess, secureSecretsDir } from './tmpfs.js';
import { resolveGroup, resolveUser, type AccountFiles } from './users.js';
import { deniedPath, type RunAs } from './user-access.js';

export interface SpawnCheckOptions {
  /** passwd/group locations (tests). */
  readonly accountFiles?: AccountFiles;
}

/** Why: fail closed before the first port or request; each error names the key to fix. */
export async function checkSpawnable(
  plan: Plan,
  logger: Logger,
  options: SpawnCheckOptions = {},
): Promise<void> {
  const accounts = options.accountFiles ?? {};
  const { config } = plan;
  // Every owner and group looked up (named in the error), the uid kept for the dir's mode.
  const owned = plan.files.map((file) => {
    const at = `files.entries.${file.from}`;
    const user =
      file.owner === undefined ? undefined : lookupUser(file.owner, `${at}.owner`, accounts);
    if (file.group !== undefined) lookupGroup(file.group, `${at}.group`, accounts);
    return { uid: user?.uid ?? process.getuid?.() ?? 0, mode: file.mode };
  });
  const paths = new Map(plan.files.map((f) => [f.from, f.path]));
  const render = (text: string, where: string): string | undefined =>
    renderBeforeFetch(text, where, paths, plan.overrides);
  for (const [i, { config: p }] of plan.processes.entries()) {
    await checkProcess(render, p, `processes[${i}]`, accounts);
  }
  await assertTmpfs(config.files.dir, config.files.unsafeAllowNonTmpfs);
  await secureSecretsDir(config.files.dir, othersNeedAccess(owned), logger);
}

async function checkProcess(
  render: (text: string, where: string) => string | undefined,
  p: ProcessConfig,
  at: string,
  accounts: AccountFiles,
): Promise<void> {
  const user = p.user === undefined ? undefined : lookupUser(p.user, `${at}.user`, accounts);
  const gid = p.group === undefined ? user?.gid : lookupGroup(p.group, `${at}.group`, accounts);
  const self: RunAs = { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };
  const who: RunAs | undefined =
    user === undefined && gid === undefined
      ? undefined
      : { uid: user?.uid ?? self.uid, gid: gid ?? self.gid };
  if (who !== undefined && self.uid !== 0 && (who.uid !== self.uid || who.gid !== self.gid)) {
    throw new TeeinitError(
      'TEEINIT_SPAWN_FAILED',
      `${at}: process "${p.name}" is to run as uid ${who.uid} gid ${who.gid}, but teeinit runs as uid ${self.uid} gid ${self.gid} and cannot switch.`,
      {
        fields: { process: p.name, path: `${at}.user` },
        hint: `Run teeinit as root, or remove ${at}.user and ${at}.group.`,
      },
    );
  }
  if (p.cwd !== undefined) await checkCwd(p, `${at}.cwd`);
  const pathVar = Object.hasOwn(p.env, 'PATH')
    ? render(p.env.PATH ?? '', `${at}.env.PATH`)
    : p.inheritEnv
      ? process.env.PATH
      : undefined;
  if (Object.hasOwn(p.env, 'PATH') && pathVar === undefined) return; // built from a secret
  const checks: [string | undefined, string][] = [
    [render(p.run[0] ?? '', `${at}.run[0]`), `${at}.run[0]`],
  ];
  if (p.ready?.command?.[0] !== undefined) {
    checks.push([p.ready.command[0], `${at}.ready.command[0]`]);
  }
  for (const [command, key] of checks) {
    if (command === undefined) continue; // built from a secret: checked when spawned
    await checkCommand(command, key, p, pathVar, who, user?.name ?? p.user);
  }
}

async function checkCwd(p: ProcessConfig, key: string): Promise<void> {
  const cwd = p.cwd ?? '';
  const info = await stat(cwd).catch(() => undefined);
  if (info?.isDirectory() === true) return;
  throw new TeeinitError(
    'TEEINIT_SPAWN_FAILED',
    `${key}: working directory "${cwd}" of process "${p.name}" ${info === undefined ? 'does not exist' : 'is not a directory'}.`,
    {
      fields: { process: p.name, path: key },
      hint: `Create the directory in the image or change ${key}.`,
    },
  );
}

async function checkCommand(
  command: string,
  key: string,
  p: ProcessConfig,
  pathVar: string | undefined,
  who: RunAs | undefined,
  userName: string | undefined,
): Promise<void> {
  const fields = { process: p.name, command, path: key };
  const resolved = await resolveExecutable(command, pathVar, p.cwd);
  if (resolved.kind === 'not-found') {
    throw new TeeinitError(
      'TEEINIT_SPAWN_NOT_FOUND',
      `${key}: process "${p.name}": command "${command}" was not found${command.includes('/') ? '' : " in the process's PATH"}.`,
      { fields, hint: `Install the binary in the image, or give its absolute path in ${key}.` },
    );
  }
  if (resolved.kind === 'not-executable') {
    throw new TeeinitError(
      'TEEINIT_SPAWN_FAILED',
      `${key}: process "${p.name}": "${resolved.file}" is not an executable file.`,
      { fields, hint: `Make it executable in the image, or change ${key}.` },
    );
  }
  if (who === undefined) return;
  const denied =
    (await deniedPath(resolved.file, who, 'x')) ??
    ((await isScript(resolved.file)) ? await deniedPath(resolved.file, who, 'r') : undefined);
  if (denied === undefined) return;
  const as = `${userName === undefined ? '' : `user "${userName}" `}(uid ${who.uid} gid ${who.gid})`;
  throw new TeeinitError(
    'TEEINIT_SPAWN_FAILED',
    `${key}: process "${p.name}" runs as ${as}, which cannot ${denied === resolved.file ? 'execute' : 'search the directory'} "${denied}".`,
    {
      fields,
      hint: `Give that user access to "${resolved.file}" and the directories above it in the image, or change ${key}.`,
    },
  );
}

/** A `#!` script is read by its interpreter, as the process's user. */
async function isScript(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return false;
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}

function lookupUser(
  name: string,
  key: string,
  accounts: AccountFiles,
): ReturnType<typeof resolveUser> {
  try {
    return resolveUser(name, accounts);
  } catch (error) {
    throw atKey(error, key);
  }
}

function lookupGroup(name: string, key: string, accounts: AccountFiles): number {
  try {
    return resolveGroup(name, accounts);
  } catch (error) {
    throw atKey(error, key);
  }
}

function atKey(error: unknown, key: string): unknown {
  if (!(error instanceof TeeinitError)) return error;
  return new TeeinitError(error.code, `${key}: ${error.message}`, {
    cause: error,
    fields: { ...error.fields, path: key },
    hint: `Create it in the image, use a number, or change ${key}.`,
  });
}
