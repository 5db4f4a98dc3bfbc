import type { AttestReason } from '../attest/index.js';

// The proxy's public shapes: what the run command hands in (material) and what it gets back
// (a running proxy with stats, hot swap and a graceful close).

/** Why: the keys stage has validated these; the proxy only turns them into TLS contexts. */
export interface ProxyMaterial {
  /** tls bundle name → PEMs (already validated by the keys stage). */
  readonly tls: ReadonlyMap<
    string,
    { readonly certPem: string; readonly keyPem: string; readonly caPem?: string }
  >;
  /** derived key name → key bytes (PSK). */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** secret name → raw bytes (for the sniCa entries' CA PEMs). */
  readonly secrets: ReadonlyMap<string, Buffer>;
}

/** Why reasons are a closed set: they become counters and log fields, never free text. */
export type RejectReason =
  | 'max-connections'
  | 'handshakes-per-source'
  | 'empty-connection'
  | 'handshake-timeout'
  | 'handshake-failed'
  | 'tls-version'
  | 'no-client-cert'
  | 'untrusted-cert'
  | 'expired-cert'
  | 'not-authorized'
  | 'unknown-sni'
  | 'psk-unknown-identity'
  | 'psk-bad-key'
  | 'server-cert-rejected'
  /** `attest`: the peer's evidence is missing or fails (docs/attested-channel.md#reasons). */
  | AttestReason;

/** Why: the status endpoint and the tests read the same counters. */
export interface ProxyStats {
  readonly name: string;
  readonly mode: string;
  /** Connections accepted and not yet fully closed (handshaking or relaying). */
  readonly open: number;
  /** TCP connections accepted since start. */
  readonly accepted: number;
  /** Relays established: peer admitted and the target accepted the connection. */
  readonly established: number;
  /** Refusals by reason. */
  readonly rejected: Readonly<Partial<Record<RejectReason, number>>>;
  /** TLS handshakes that failed or timed out (a subset of `rejected`). */
  readonly handshakeFailures: number;
  /** Admitted peers whose target was unreachable, refused or timed out (never established). */
  readonly targetFailures: number;
  /** Plaintext bytes from the peer to the target. */
  readonly bytesIn: number;
  /** Plaintext bytes from the target to the peer. */
  readonly bytesOut: number;
}

/** Why: the run command supervises proxies like processes: stats, hot swap, drain. */
export interface RunningProxy {
  readonly name: string;
  /** Actual listen address (port resolved when 0), e.g. "127.0.0.1:43121" or "unix:/path". */
  readonly address: string;
  /** Status endpoint address when `status` is configured. */
  readonly statusAddress?: string;
  stats(): ProxyStats;
  /** Hot swap: existing connections keep going; a broken new cert keeps the old one (false, logged). */
  updateMaterial(material: ProxyMaterial): boolean;
  /**
   * Stop accepting, drain open connections up to drainMs, then destroy the rest. With
   * drainMs 0 every open connection is destroyed at once (`reason` names why: `revoked`
   * when the material it serves was withdrawn).
   */
  close(drainMs: number, reason?: string): Promise<void>;
}
