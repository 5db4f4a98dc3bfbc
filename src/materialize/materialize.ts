// The materialize stage: everything used as a file is rendered and validated first, then
// written to tmpfs in a fixed order (TLS keys, certificates, other secrets and keys,
// templates); the result renders argv/env for each process, rewrites what a refresh changed,
// and removes every file on exit.
import { createHash } from 'node:crypto';
import { rmdirSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config, ProcessConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Material } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { PlannedFile } from '../plan/types.js';
import { renderTemplate, type RenderContext } from './render.js';
import { removeTempFilesSync, writeSecretFile } from './secret-writer.js';
import { assertTmpfs, ensureSecretsDir, othersNeedAccess } from '../preflight/tmpfs.js';
import { resolveOwner, type AccountFiles } from '../preflight/users.js';

/** The written files and what the supervisor needs from them. */
export interface Materialized {
  /** Absolute secrets directory. */
  readonly dir: string;
  /** Config name (secret, key or template) → absolute path written. */
  readonly files: ReadonlyMap<string, string>;
  /** argv and environment of a process with its templates applied. */
  renderArgs(process: ProcessConfig): { argv: string[]; env: Record<string, string> };
  /**
   * Refreshed material: renders again and rewrites, in the same order (keys before
   * certificates), only the files whose bytes changed; returns their config names. Throws
   * before writing if a template fails; restores what it wrote if a later write fails;
   * never writes once `signal` aborted or cleanup started. Later renderArgs use `material`.
   */
  update(material: Material, signal?: AbortSignal): Promise<string[]>;
  /** Removes every file written (and temp files); idempotent, never throws. */
  cleanup(): Promise<void>;
  /** The same, synchronously, for `process.on('exit')` and signal paths. */
  cleanupSync(): void;
}

export interface MaterializeOptions {
  /** The loaded config: its templates and processes are rendered. */
  readonly config: Config;
  /** The plan's files, in write order: what is written, where, with which mode and owner. */
  readonly files: readonly PlannedFile[];
  /** Resolved operator overrides (`{{ env NAME }}`). */
  readonly overrides: Readonly<Record<string, string>>;
  /**
   * Template name → text as the config loader read it (`LoadedConfig.templateTexts`): a
   * template file is read once, so one changed after loading is never half-used.
   */
  readonly templateTexts: ReadonlyMap<string, string>;
  /** passwd/group locations (tests). */
  readonly accountFiles?: AccountFiles;
}

/** Each template's loaded text; a template the loader did not read is a bug, not a re-read. */
function templateTexts(config: Config, loaded: ReadonlyMap<string, string>): Map<string, string> {
  return new Map(
    Object.keys(config.templates).map((name) => {
      const text = loaded.get(name);
      if (text === undefined) {
        throw new TeeinitError('TEEINIT_INTERNAL', `Template "${name}" was not loaded.`);
      }
      return [name, text];
    }),
  );
}

function contentOf(
  file: PlannedFile,
  ctx: RenderContext,
  rendered: ReadonlyMap<string, string>,
): Buffer | string {
  const value =
    file.kind === 'secret'
      ? ctx.material.secrets.get(file.from)
      : file.kind === 'key'
        ? ctx.material.keys.get(file.from)
        : rendered.get(file.from);
  if (value === undefined) {
    throw new TeeinitError('TEEINIT_INTERNAL', `No material for ${file.kind} "${file.from}".`);
  }
  return file.kind === 'key' && file.encoding === 'hex' ? (value as Buffer).toString('hex') : value;
}

/**
 * Why: the single step between checked material and running processes; it fails before
 * writing anything if a template, owner or the directory is wrong.
 */
export async function materialize(
  options: MaterializeOptions,
  material: Material,
  logger: Logger,
): Promise<Materialized> {
  const { config, overrides, files: plan } = options;
  const dir = resolve(config.files.dir);
  const texts = templateTexts(config, options.templateTexts);
  const owners = plan.map((f) => resolveOwner(f.owner, f.group, options.accountFiles));
  const paths = new Map(plan.map((f) => [f.from, f.path]));
  let ctx: RenderContext = { config, material, paths, overrides };

  // Render every template and every process's argv/env before anything touches the disk.
  const renderAll = (c: RenderContext): Map<string, string> => {
    const out = new Map<string, string>();
    for (const [name, text] of texts) {
      const allow = config.templates[name]?.allowValue ?? false;
      out.set(name, renderTemplate(text, `templates.${name}`, c, allow, 'file').text);
    }
    return out;
  };
  let rendered = renderAll(ctx);
  const warned = new Set<string>();
  const renderArgs = (
    p: ProcessConfig,
    log: boolean,
    c: RenderContext = ctx,
  ): { argv: string[]; env: Record<string, string> } => {
    const index = config.processes.indexOf(p);
    const at = index >= 0 ? `processes[${index}]` : `processes.${p.name}`;
    let usedValue = false;
    const one = (text: string, where: string, target: 'argv' | 'env'): string => {
      const r = renderTemplate(text, where, c, p.allowValue, target);
      usedValue ||= r.usedValue;
      if (r.text.includes('\0')) {
        // A substitution with NUL is refused by name above; this is NUL in the config text.
        throw new TeeinitError(
          'TEEINIT_TEMPLATE_INVALID',
          `${where}: rendered value contains a NUL byte.`,
        );
      }
      return r.text;
    };
    const argv = p.run.map((arg, j) => one(arg, `${at}.run[${j}]`, 'argv'));
    const env: Record<string, string> = {};
    if (p.inheritEnv) {
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    }
    for (const [k, v] of Object.entries(p.env)) env[k] = one(v, `${at}.env.${k}`, 'env');
    if (log && usedValue && !warned.has(p.name)) {
      warned.add(p.name);
      logger.warn(
        `process ${p.name} receives a secret value in argv or env; /proc/<pid>/cmdline and environ expose it to its user and root`,
        { process: p.name },
      );
    }
    return { argv, env };
  };
  for (const p of config.processes) renderArgs(p, false);

  await assertTmpfs(dir, config.files.unsafeAllowNonTmpfs, logger);
  const ownUid = process.getuid?.() ?? 0;
  const created = await ensureSecretsDir(dir, othersNeedAccess(plan, owners), logger);

  const written: string[] = [];
  let cleaned = false;
  const cleanupSync = (): void => {
    removeTempFilesSync();
    for (const path of written.splice(0)) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
    if (created && !cleaned) {
      try {
        rmdirSync(dir);
      } catch {
        // not empty (someone else's files) or already gone
      }
    }
    cleaned = true;
  };

  const digests = new Map<string, string>();
  const writeOne = async (i: number, content: Buffer | string, verb: string): Promise<void> => {
    const file = plan[i]!;
    const owner = owners[i] ?? { uid: ownUid, gid: process.getgid?.() ?? 0 };
    const path = await writeSecretFile(
      dir,
      file.fileName,
      content,
      file.mode,
      owner.uid,
      owner.gid,
    );
    if (!written.includes(path)) written.push(path);
    if (cleaned) {
      // Cleanup ran while this write was under way: the file must not outlive it.
      unlinkQuietly(path);
      return;
    }
    digests.set(file.from, digest(content));
    logger.info(verb, {
      name: file.from,
      kind: file.kind,
      path,
      mode: '0' + file.mode.toString(8),
      uid: owner.uid,
      gid: owner.gid,
    });
  };
  try {
    for (const [i, file] of plan.entries())
      await writeOne(i, contentOf(file, ctx, rendered), 'secret file written');
  } catch (error) {
    cleanupSync();
    throw error;
  }

  const update = async (next: Material, signal?: AbortSignal): Promise<string[]> => {
    const nextCtx: RenderContext = { config, material: next, paths, overrides };
    const nextRendered = renderAll(nextCtx);
    for (const p of config.processes) renderArgs(p, false, nextCtx);
    const changed = plan.flatMap((file, i) => {
      const content = contentOf(file, nextCtx, nextRendered);
      return digest(content) === digests.get(file.from) ? [] : [{ i, file, content }];
    });
    const done: typeof changed = [];
    try {
      for (const c of changed) {
        signal?.throwIfAborted(); // the refresh deadline or SIGTERM, with its own error
        if (cleaned) throw new TeeinitError('TEEINIT_STARTUP_CANCELLED', 'Refresh stopped.');
        await writeOne(c.i, c.content, 'secret file rewritten');
        done.push(c);
      }
    } catch (error) {
      // Put back what this update already replaced: a new key beside an old certificate
      // is worse than both old. Also after an abort (deadline, SIGTERM): the pipeline waits
      // for the refresh to end before cleanup, so only cleanup itself stops the restore.
      for (const c of done.reverse()) {
        if (cleaned) break;
        await writeOne(c.i, contentOf(c.file, ctx, rendered), 'secret file restored').catch(
          () => undefined,
        );
      }
      throw error;
    }
    ctx = nextCtx;
    rendered = nextRendered;
    return changed.map((c) => c.file.from);
  };

  return {
    dir,
    files: paths,
    renderArgs: (p) => renderArgs(p, true),
    update,
    cleanup: () => {
      cleanupSync();
      return Promise.resolve();
    },
    cleanupSync,
  };
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function digest(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}
