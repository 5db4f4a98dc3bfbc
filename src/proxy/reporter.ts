// Log lines and counters for connection outcomes: one line per refusal (with the reason
// only we know, e.g. an unknown PSK identity), within a budget so a flood of bad
// connections cannot flood the log, and one line per closed relay.
import type { AttestRefusal, ClaimSummary } from '../attest/index.js';
import type { Logger } from '../log/index.js';
import { claimFields } from './attest-gate.js';
import { LogBudget, type Suppressed } from './log-budget.js';
import type { RelayResult } from './relay.js';
import type { StatsCounter } from './stats.js';
import type { RejectReason } from './types.js';

const HANDSHAKE_REASONS: ReadonlySet<RejectReason> = new Set([
  'handshake-timeout',
  'handshake-failed',
  'tls-version',
  'psk-unknown-identity',
  'psk-bad-key',
  'unknown-sni',
  'server-cert-rejected',
]);

/** Reasons counted but logged only at debug level: health checks and port scans. */
const QUIET_REASONS: ReadonlySet<RejectReason> = new Set(['empty-connection']);

/** Why: every refusal is counted and logged the same way, whatever the mode. */
export class Reporter {
  readonly #budget: LogBudget;

  constructor(
    readonly stats: StatsCounter,
    readonly logger: Logger,
    budget: LogBudget = new LogBudget(),
  ) {
    this.#budget = budget;
  }

  reject(
    reason: RejectReason,
    peer: string,
    details: Readonly<Record<string, unknown>> = {},
  ): void {
    this.stats.reject(reason);
    if (HANDSHAKE_REASONS.has(reason)) this.stats.handshakeFailures += 1;
    if (QUIET_REASONS.has(reason)) {
      this.logger.debug('proxy connection closed before the handshake', {
        proxy: this.stats.name,
        peer,
        reason,
      });
      return;
    }
    if (!this.#allowed(reason)) return;
    this.logger.warn('proxy connection refused', {
      proxy: this.stats.name,
      peer,
      reason,
      ...details,
    });
  }

  targetFailed(peer: string, code: string): void {
    this.stats.targetFailures += 1;
    if (!this.#allowed('target-unreachable')) return;
    this.logger.warn('proxy target unreachable', { proxy: this.stats.name, peer, error: code });
  }

  /** Logs the summary of lines still suppressed (call when the proxy closes). */
  flush(): void {
    this.#summarize(this.#budget.flush());
  }

  #allowed(reason: string): boolean {
    const { allowed, flushed } = this.#budget.take(reason);
    this.#summarize(flushed);
    return allowed;
  }

  #summarize(suppressed: Suppressed | undefined): void {
    if (suppressed === undefined) return;
    this.logger.warn('proxy warnings suppressed (log budget); the counters include them', {
      proxy: this.stats.name,
      suppressed: suppressed.count,
      byReason: suppressed.byReason,
    });
  }

  /**
   * A refused attestation: counted by its reason, logged (within the budget) with its
   * detail and the peer's claims when its token checked out. Never the token.
   */
  refuseAttestation(
    refusal: AttestRefusal,
    peer: string,
    details: Readonly<Record<string, unknown>> = {},
  ): void {
    this.reject(refusal.reason, peer, {
      ...details,
      detail: refusal.detail,
      ...claimFields(refusal.claims),
    });
  }

  closed(
    peer: string,
    identity: string,
    result: RelayResult,
    sni?: string,
    attested?: ClaimSummary,
  ): void {
    this.logger.info('proxy connection closed', {
      proxy: this.stats.name,
      peer,
      identity,
      ...(sni === undefined ? {} : { sni }),
      ...(attested?.imageDigest === undefined ? {} : { imageDigest: attested.imageDigest }),
      bytesIn: result.bytesIn,
      bytesOut: result.bytesOut,
      durationMs: result.durationMs,
      reason: result.reason,
    });
  }
}

/** Why: attacker-chosen strings (PSK identities, SNI) go into logs only escaped and short. */
export function printable(value: string): string {
  const cut = value.length > 64 ? value.slice(0, 64) + '…' : value;
  return JSON.stringify(cut).slice(1, -1);
}

/** Why: `ip:port` of a socket for log lines (unix sockets have no remote address). */
export function peerOf(socket: {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}): string {
  return socket.remoteAddress === undefined
    ? 'unix'
    : `${socket.remoteAddress}:${socket.remotePort ?? 0}`;
}
