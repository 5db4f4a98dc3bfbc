// The materialize stage and what it leaves: every file the plan lists is rendered and
// validated first, then written to tmpfs in the plan's order (TLS keys, certificates, other
// secrets and keys, templates). SecretFiles owns the written files from then on: it renders
// argv/env for each process, rewrites what a refresh changed, removes the files made from
// given secrets, and removes every file at shutdown (synchronously too, for
// process.on('exit')).
import { createHash } from 'node:crypto';
import { rmdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config, ProcessConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Material } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { PlannedFile } from '../plan/types.js';
import { assertTmpfs, ensureSecretsDir, othersNeedAccess } from '../preflight/tmpfs.js';
import { resolveOwner, type AccountFiles } from '../preflight/users.js';
import { renderTemplate, type RenderContext } from './render.js';
import { removeTempFilesSync, unlinkQuietly, writeSecretFile } from './secret-writer.js';

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

/**
 * Why: the single step between checked material and running processes; it fails before
 * writing anything if a template, owner or the directory is wrong, and removes what it
 * wrote if a write fails.
 */
export function materialize(
  options: MaterializeOptions,
  material: Material,
  logger: Logger,
): Promise<SecretFiles> {
  return SecretFiles.write(options, material, logger);
}

/** One planned file with its owner resolved. */
interface OwnedFile {
  readonly file: PlannedFile;
  readonly uid: number;
  readonly gid: number;
}

/** The files written into files.dir, and everything later stages do with them. */
export class SecretFiles {
  /** Absolute secrets directory. */
  readonly dir: string;
  /** Config name (secret, key or template) → absolute path written. */
  readonly files: ReadonlyMap<string, string>;
  readonly #config: Config;
  readonly #overrides: Readonly<Record<string, string>>;
  readonly #logger: Logger;
  /** Each template's text as loaded. */
  readonly #texts: ReadonlyMap<string, string>;
  /** The files still served, in write order (remove() drops some). */
  #owned: readonly OwnedFile[];
  /** What templates and argv/env are rendered from now, and the templates as rendered. */
  #context: RenderContext;
  #rendered: ReadonlyMap<string, string>;
  /** Config name → SHA-256 of the bytes last written: update() rewrites what differs. */
  readonly #digests = new Map<string, string>();
  /** Paths written and not removed since. */
  readonly #written = new Set<string>();
  /** Processes already warned about a secret value in their argv or env. */
  readonly #warned = new Set<string>();
  #createdDir = false;
  #cleaned = false;

  private constructor(options: MaterializeOptions, material: Material, logger: Logger) {
    const { config } = options;
    this.dir = resolve(config.files.dir);
    this.#config = config;
    this.#overrides = options.overrides;
    this.#logger = logger;
    this.#texts = templateTexts(config, options.templateTexts);
    this.#owned = options.files.map((file) => ({
      file,
      ...resolveOwner(file.owner, file.group, options.accountFiles),
    }));
    this.files = new Map(options.files.map((f) => [f.from, f.path]));
    // Every template and every process's argv/env renders before anything touches the disk.
    this.#context = this.#contextOf(material);
    this.#rendered = this.#renderTemplates(this.#context);
    for (const p of config.processes) this.#renderArgs(p, this.#context);
  }

  /** Renders, checks the directory, writes every file; on a failed write removes them all. */
  static async write(
    options: MaterializeOptions,
    material: Material,
    logger: Logger,
  ): Promise<SecretFiles> {
    const files = new SecretFiles(options, material, logger);
    const { dir } = files;
    await assertTmpfs(dir, options.config.files.unsafeAllowNonTmpfs, logger);
    const modes = files.#owned.map((o) => ({ uid: o.uid, mode: o.file.mode }));
    files.#createdDir = await ensureSecretsDir(dir, othersNeedAccess(modes), logger);
    try {
      for (const owned of files.#owned) {
        await files.#writeOne(owned, files.#contentOf(owned.file), 'secret file written');
      }
    } catch (error) {
      files.cleanupSync();
      throw error;
    }
    return files;
  }

  /** argv and environment of a process with its templates applied (the current material). */
  renderArgs(process: ProcessConfig): { argv: string[]; env: Record<string, string> } {
    const { argv, env, usedValue } = this.#renderArgs(process, this.#context);
    if (usedValue && !this.#warned.has(process.name)) {
      this.#warned.add(process.name);
      this.#logger.warn(
        `process ${process.name} receives a secret value in argv or env; /proc/<pid>/cmdline and environ expose it to its user and root`,
        { process: process.name },
      );
    }
    return { argv, env };
  }

  /**
   * Refreshed material: renders again and rewrites, in the same order (keys before
   * certificates), only the files whose bytes changed; returns their config names. Throws
   * before writing if a template fails; restores what it wrote if a later write fails;
   * never writes once `signal` aborted or cleanup started. Later renderArgs use `material`.
   */
  async update(material: Material, signal?: AbortSignal): Promise<string[]> {
    const context = this.#contextOf(material);
    const rendered = this.#renderTemplates(context);
    for (const p of this.#config.processes) this.#renderArgs(p, context);
    const changed = this.#owned.flatMap((owned) => {
      const content = this.#contentOf(owned.file, context, rendered);
      return digest(content) === this.#digests.get(owned.file.from) ? [] : [{ owned, content }];
    });
    const done: typeof changed = [];
    try {
      for (const c of changed) {
        signal?.throwIfAborted(); // the refresh deadline or SIGTERM, with its own error
        if (this.#cleaned) throw new TeeinitError('TEEINIT_STARTUP_CANCELLED', 'Refresh stopped.');
        await this.#writeOne(c.owned, c.content, 'secret file rewritten');
        done.push(c);
      }
    } catch (error) {
      // Put back what this update already replaced: a new key beside an old certificate
      // is worse than both old. Also after an abort (deadline, SIGTERM): the pipeline waits
      // for the refresh to end before cleanup, so only cleanup itself stops the restore.
      for (const c of done.reverse()) {
        if (this.#cleaned) break;
        await this.#writeOne(c.owned, this.#contentOf(c.owned.file), 'secret file restored').catch(
          () => undefined,
        );
      }
      throw error;
    }
    this.#context = context;
    this.#rendered = rendered;
    return changed.map((c) => c.owned.file.from);
  }

  /**
   * Why: material that must no longer be served. Removes every file made from one of
   * `secrets` (the secret's own file, a key derived from it, a template that refers to it)
   * and stops writing them on update(); returns the config names of the files removed.
   */
  removeFilesOf(secrets: Iterable<string>): string[] {
    const gone = new Set(secrets);
    return this.#remove(({ file }) => [...file.secrets].some((s) => gone.has(s)));
  }

  /**
   * Why: a threshold key outlives one of its shares. Removes the files of exactly these
   * secrets, keys and templates (by their name in `{{ file NAME }}`) and stops writing them
   * on update(); returns the names of the files removed.
   */
  removeFiles(names: Iterable<string>): string[] {
    const gone = new Set(names);
    return this.#remove(({ file }) => gone.has(file.from));
  }

  #remove(match: (owned: OwnedFile) => boolean): string[] {
    const removed = this.#owned.filter(match);
    if (removed.length === 0) return [];
    this.#owned = this.#owned.filter((owned) => !removed.includes(owned));
    for (const { file } of removed) {
      this.#digests.delete(file.from);
      if (this.#written.delete(file.path)) unlinkQuietly(file.path);
      this.#logger.info('secret file removed', { name: file.from, path: file.path });
    }
    return removed.map(({ file }) => file.from);
  }

  /** Removes every file written (and temp files); idempotent, never throws. */
  cleanup(): Promise<void> {
    this.cleanupSync();
    return Promise.resolve();
  }

  /** The same, synchronously, for `process.on('exit')`. */
  cleanupSync(): void {
    removeTempFilesSync();
    for (const path of this.#written) unlinkQuietly(path);
    this.#written.clear();
    if (this.#createdDir && !this.#cleaned) {
      try {
        rmdirSync(this.dir);
      } catch {
        // not empty (someone else's files) or already gone
      }
    }
    this.#cleaned = true;
  }

  async #writeOne(owned: OwnedFile, content: Buffer | string, verb: string): Promise<void> {
    const { file, uid, gid } = owned;
    const path = await writeSecretFile(this.dir, file.fileName, content, file.mode, uid, gid);
    if (this.#cleaned) {
      // Cleanup ran while this write was under way: the file must not outlive it.
      unlinkQuietly(path);
      return;
    }
    this.#written.add(path);
    this.#digests.set(file.from, digest(content));
    this.#logger.info(verb, {
      name: file.from,
      kind: file.kind,
      path,
      mode: '0' + file.mode.toString(8),
      uid,
      gid,
    });
  }

  #contextOf(material: Material): RenderContext {
    return { config: this.#config, material, paths: this.files, overrides: this.#overrides };
  }

  #renderTemplates(context: RenderContext): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, text] of this.#texts) {
      const allow = this.#config.templates[name]?.allowValue ?? false;
      out.set(name, renderTemplate(text, `templates.${name}`, context, allow, 'file').text);
    }
    return out;
  }

  #renderArgs(
    p: ProcessConfig,
    context: RenderContext,
  ): { argv: string[]; env: Record<string, string>; usedValue: boolean } {
    const index = this.#config.processes.indexOf(p);
    const at = index >= 0 ? `processes[${index}]` : `processes.${p.name}`;
    let usedValue = false;
    const one = (text: string, where: string, target: 'argv' | 'env'): string => {
      const r = renderTemplate(text, where, context, p.allowValue, target);
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
    return { argv, env, usedValue };
  }

  /** A file's bytes: the secret's, the key's (hex if asked) or the rendered template. */
  #contentOf(
    file: PlannedFile,
    context: RenderContext = this.#context,
    rendered: ReadonlyMap<string, string> = this.#rendered,
  ): Buffer | string {
    const value =
      file.kind === 'secret'
        ? context.material.secrets.get(file.from)
        : file.kind === 'key'
          ? context.material.keys.get(file.from)
          : rendered.get(file.from);
    if (value === undefined) {
      throw new TeeinitError('TEEINIT_INTERNAL', `No material for ${file.kind} "${file.from}".`);
    }
    return file.kind === 'key' && file.encoding === 'hex'
      ? (value as Buffer).toString('hex')
      : value;
  }
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

function digest(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}
