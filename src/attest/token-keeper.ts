// Keeps this instance's evidence ready: an ephemeral key and a launcher token whose nonce
// vouches for it, fetched at start-up and replaced (new key, new token) at half the token's
// lifetime, so the launcher's remote attestation never sits on a connection's path.
import { decodeJwt } from 'jose';
import type { AttestTokenType } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { abortable, sleep } from '../retry/index.js';
import { createEphemeralKey, type EphemeralKey } from './binding.js';
import { stringList } from './claims.js';
import { requestCustomToken } from './teeserver-client.js';

/** What a connection needs to present: our token and the key it vouches for. */
export interface PresentedIdentity {
  readonly token: string;
  readonly key: EphemeralKey;
  /** The token's `exp`, in ms. */
  readonly expiresAt: number;
}

/** Why an interface: tests and the proxy may hand in any source of identities. */
export interface EvidenceSource {
  /** The identity to present now; undefined when no unexpired token is held. */
  current(): PresentedIdentity | undefined;
}

export interface TokenKeeperOptions {
  readonly socketPath: string;
  /** The audience the verifying peer requires (its `require.audience`). */
  readonly audience: string;
  readonly tokenType: AttestTokenType;
  /** Per launcher call (default 10 s). */
  readonly timeoutMs?: number;
  /** How long start() keeps retrying before it gives up (default 60 s). */
  readonly startDeadlineMs?: number;
  /** Fraction of the token lifetime after which it is replaced (default 0.5). */
  readonly refreshFraction?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly now?: () => number;
  /** Ends start() early (a signal during start-up): it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Told about every fetch and failure (for the log); never given the token. */
  readonly onEvent?: (event: KeeperEvent) => void;
}

export type KeeperEvent =
  | { readonly kind: 'token'; readonly expiresAt: number; readonly nonce: string }
  | { readonly kind: 'failed'; readonly error: Error; readonly retryInMs: number };

/** Why a class: one timer and one current identity, swapped whole, for all connections. */
export class TokenKeeper implements EvidenceSource {
  readonly #o: TokenKeeperOptions;
  readonly #now: () => number;
  #current: PresentedIdentity | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #backoff: number;

  private constructor(options: TokenKeeperOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#backoff = options.initialBackoffMs ?? 1_000;
  }

  /** Fetches the first token (retrying until `startDeadlineMs`) and schedules refreshes. */
  static async start(options: TokenKeeperOptions): Promise<TokenKeeper> {
    const keeper = new TokenKeeper(options);
    const deadline = keeper.#now() + (options.startDeadlineMs ?? 60_000);
    const { signal } = options;
    try {
      for (;;) {
        signal?.throwIfAborted();
        try {
          await abortable(keeper.#fetch(), signal);
          return keeper;
        } catch (error) {
          signal?.throwIfAborted();
          const wait = keeper.#nextBackoff();
          if (keeper.#now() + wait > deadline) throw error;
          keeper.#o.onEvent?.({ kind: 'failed', error: error as Error, retryInMs: wait });
          await sleep(wait, signal);
        }
      }
    } catch (error) {
      keeper.stop();
      throw error;
    }
  }

  current(): PresentedIdentity | undefined {
    const c = this.#current;
    return c !== undefined && c.expiresAt > this.#now() ? c : undefined;
  }

  /** Stops refreshing; the current identity stays usable until it expires. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  async #fetch(): Promise<void> {
    const key = createEphemeralKey();
    const token = await requestCustomToken(
      this.#o.socketPath,
      { audience: this.#o.audience, nonces: [key.nonce], tokenType: this.#o.tokenType },
      this.#o.timeoutMs ?? 10_000,
    );
    const { expiresAt, lifetimeMs } = this.#check(token, key);
    this.#current = { token, key, expiresAt };
    this.#backoff = this.#o.initialBackoffMs ?? 1_000;
    this.#o.onEvent?.({ kind: 'token', expiresAt, nonce: key.nonce });
    this.#schedule(Math.max(1_000, Math.floor(lifetimeMs * (this.#o.refreshFraction ?? 0.5))));
  }

  /** Our own launcher's answer, still checked: a JWT with our nonce and a future `exp`. */
  #check(token: string, key: EphemeralKey): { expiresAt: number; lifetimeMs: number } {
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(token);
    } catch (cause) {
      throw this.#unusable('the answer is not a JWT', cause);
    }
    const exp = claims.exp;
    const iat = claims.iat;
    if (typeof exp !== 'number' || typeof iat !== 'number' || exp * 1000 <= this.#now()) {
      throw this.#unusable('the token has no future exp');
    }
    if (!stringList(claims, 'eat_nonce').includes(key.nonce)) {
      throw this.#unusable('the token does not carry the requested nonce');
    }
    return { expiresAt: exp * 1000, lifetimeMs: (exp - iat) * 1000 };
  }

  #unusable(reason: string, cause?: unknown): TeeinitError {
    return new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The teeserver at ${this.#o.socketPath} answered an unusable custom token: ${reason}.`,
      { fields: { socket: this.#o.socketPath }, ...(cause === undefined ? {} : { cause }) },
    );
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#fetch().catch((error: unknown) => {
        const wait = this.#nextBackoff();
        this.#o.onEvent?.({ kind: 'failed', error: error as Error, retryInMs: wait });
        this.#schedule(wait);
      });
    }, delayMs);
    this.#timer.unref();
  }

  #nextBackoff(): number {
    const wait = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#o.maxBackoffMs ?? 60_000);
    return wait;
  }
}
