// Keeps `<stateDir>/attestation_verifier_claims_token` current like the launcher does:
// written before the workload starts, rewritten atomically (temp file + rename) at 0.8 of
// the token lifetime and at once when the claims change.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AttestationAuthority } from './authority.js';

export const TOKEN_FILE_NAME = 'attestation_verifier_claims_token';

/** Owns the token file and its refresh timer; `stop()` clears the timer. */
export class TokenFileWriter {
  readonly path: string;
  readonly #authority: AttestationAuthority;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #unsubscribe: () => void;

  constructor(path: string, authority: AttestationAuthority) {
    this.path = path;
    this.#authority = authority;
    this.#unsubscribe = authority.onChange(() => {
      void this.refresh().catch(() => undefined);
    });
  }

  /** Writes a fresh default token now and schedules the next refresh. */
  refresh(): Promise<void> {
    // Serialize writes so a slow rename never overtakes a newer token.
    this.#writing = this.#writing.catch(() => undefined).then(() => this.#write());
    return this.#writing;
  }

  async #write(): Promise<void> {
    if (this.#stopped) return;
    const token = this.#authority.mintDefault();
    const tmp = join(
      dirname(this.path),
      `.${basename(this.path)}.${randomBytes(6).toString('hex')}`,
    );
    await writeFile(tmp, token, { mode: 0o644 });
    try {
      await rename(tmp, this.path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#stopped) return;
    const delayMs = Math.max(50, Math.floor(this.#authority.lifetimeSeconds * 800));
    this.#timer = setTimeout(() => {
      void this.refresh().catch(() => undefined);
    }, delayMs);
  }

  /** Resolves when every write started so far has finished. */
  flush(): Promise<void> {
    return this.#writing;
  }

  /** Stops refreshing; waits for an in-flight write. The file itself is left in place. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#writing.catch(() => undefined);
  }
}
