// Each collaborator's consent as refresh cycles see it. A cycle in which a collaborator's
// side refused (likely-cause.ts) and nothing of it was fetched counts; `confirmations`
// counts in a row make it revoked, for the life of the run. Any secret of it fetched resets
// the count; a cycle in which it only met outages (or was not asked) changes nothing.
import type { TeeinitError } from '../errors/index.js';
import { failureOf, type FailureKind } from '../retry/index.js';
import { revocationEvidence, type LikelyCause } from './likely-cause.js';

/** `consenting` → `refusing` (count below confirmations) → `revoked` (final). */
export type ConsentState = 'consenting' | 'refusing' | 'revoked';

/** One collaborator's consent, as /status shows it. */
export interface CollaboratorConsent {
  readonly collaborator: string;
  readonly state: ConsentState;
  /** When it entered `state` (ISO 8601). */
  readonly since: string;
  /** Consecutive cycles with a refusal (and nothing fetched). */
  readonly count: number;
  readonly confirmations: number;
  /** Cycles with a refusal of this collaborator since start. */
  readonly refusals: number;
  /** The last refusal: its kind, error code, secret and likely cause. */
  readonly lastRefusal?: {
    readonly at: string;
    readonly kind: FailureKind;
    readonly code: string;
    readonly secret: string;
    readonly cause: LikelyCause['code'];
    readonly causeText: string;
  };
}

interface Seen {
  fetched: boolean;
  refusal?: { secret: string; error: TeeinitError; cause: LikelyCause } | undefined;
}

export class ConsentTracker {
  readonly #confirmations: number;
  readonly #now: () => number;
  readonly #states = new Map<
    string,
    { -readonly [K in keyof CollaboratorConsent]: CollaboratorConsent[K] }
  >();
  #cycle = new Map<string, Seen>();

  constructor(collaborators: readonly string[], confirmations: number, now = Date.now) {
    this.#confirmations = confirmations;
    this.#now = now;
    const since = new Date(now()).toISOString();
    for (const collaborator of collaborators) {
      this.#states.set(collaborator, {
        collaborator,
        state: 'consenting',
        since,
        count: 0,
        confirmations,
        refusals: 0,
      });
    }
  }

  /** One secret's fetch in the current cycle ended: fetched (no error) or failed. */
  observe(secret: string, collaborator: string, error?: TeeinitError): void {
    const seen = this.#cycle.get(collaborator) ?? { fetched: false };
    this.#cycle.set(collaborator, seen);
    if (error === undefined) {
      seen.fetched = true;
      return;
    }
    const cause = revocationEvidence(error);
    if (cause !== undefined && seen.refusal === undefined) seen.refusal = { secret, error, cause };
  }

  /**
   * Why: the loop acts once per cycle. Applies the cycle's observations; returns the
   * collaborators revoked by this cycle (each only once, ever).
   */
  endCycle(): string[] {
    const revoked: string[] = [];
    const at = new Date(this.#now()).toISOString();
    for (const [collaborator, seen] of this.#cycle) {
      const s = this.#states.get(collaborator);
      if (s === undefined) continue;
      if (seen.refusal !== undefined && !seen.fetched) {
        const { error, cause, secret } = seen.refusal;
        s.refusals++;
        s.lastRefusal = {
          at,
          kind: failureOf(error) ?? 'refusal',
          code: error.code,
          secret,
          cause: cause.code,
          causeText: cause.text,
        };
      }
      if (s.state === 'revoked') continue;
      if (seen.fetched) {
        if (s.state !== 'consenting') Object.assign(s, { state: 'consenting', since: at });
        s.count = 0;
      } else if (seen.refusal !== undefined) {
        s.count++;
        const state: ConsentState = s.count >= this.#confirmations ? 'revoked' : 'refusing';
        if (state !== s.state) Object.assign(s, { state, since: at });
        if (state === 'revoked') revoked.push(collaborator);
      }
    }
    this.#cycle = new Map();
    return revoked;
  }

  /** Collaborators revoked so far. */
  revoked(): string[] {
    return [...this.#states.values()]
      .filter((s) => s.state === 'revoked')
      .map((s) => s.collaborator);
  }

  /** Collaborators refusing but not yet revoked (the next cycle should come soon). */
  refusing(): string[] {
    return [...this.#states.values()]
      .filter((s) => s.state === 'refusing')
      .map((s) => s.collaborator);
  }

  get(collaborator: string): CollaboratorConsent | undefined {
    const s = this.#states.get(collaborator);
    return s === undefined ? undefined : { ...s };
  }

  /** Why: /status and /metrics, in config order. */
  snapshot(): CollaboratorConsent[] {
    return [...this.#states.values()].map((s) => ({ ...s }));
  }
}
