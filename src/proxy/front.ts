// What the two fronts (server modes and client modes) share: the handle start-proxy drives,
// the count of connections Node drops over maxConnections, and how an authenticated
// connection becomes a counted, tracked, logged relay.
import type { Server, Socket } from 'node:net';
import type { ClaimSummary } from '../attest/index.js';
import type { ProxyConfig } from '../config/types.js';
import { Relay } from './relay.js';
import { peerOf, type Reporter } from './reporter.js';
import type { ConnectionTracker, Tracked } from './tracker.js';
import type { ProxyMaterial } from './types.js';

/** Why: start-proxy drives both directions through one handle. */
export interface Front {
  readonly server: Server;
  /** Builds the new contexts first; throws (keeping the old ones) if they are broken. */
  update(material: ProxyMaterial): void;
}

/** Why: each front reads the same config and feeds the same counters and log. */
export interface FrontParts {
  readonly config: ProxyConfig;
  readonly tracker: ConnectionTracker;
  readonly reporter: Reporter;
}

/** Why: Node drops connections over maxConnections silently; count and log them as refusals. */
export function reportDrops(server: Server, reporter: Reporter): void {
  server.on('drop', (data?: { remoteAddress?: string; remotePort?: number }) => {
    reporter.reject('max-connections', data === undefined ? 'unknown' : peerOf(data));
  });
}

/** One authenticated connection: its accepted raw socket (when known) and its log names. */
export interface RelayEnds {
  /** The accepted socket and its tracker entry; the relay keeps it open until done. */
  readonly accepted?: { readonly raw: Socket; readonly entry: Tracked };
  /** `ip:port` of the peer, for log lines. */
  readonly peer: string;
  /** Who the peer (or, client side, the server) was authenticated as. */
  readonly identity: string;
  /** mtls-server: the sniCa entry the peer was admitted through. */
  readonly sni?: string;
  /** `attest.require`: the claims of the peer's evidence, for the closing line. */
  readonly attested?: ClaimSummary;
}

/**
 * Why: both directions count, track and log an established relay the same way. Called
 * once the peer is admitted and the target connected: this is what `established` counts.
 */
export function startRelay(
  parts: FrontParts,
  from: Socket,
  to: Socket,
  { accepted, peer, identity, sni, attested }: RelayEnds,
): void {
  const { config, tracker, reporter } = parts;
  tracker.stats.established += 1;
  const relay = new Relay(from, to, { ...config.limits, stats: tracker.stats }, (result) => {
    reporter.closed(peer, identity, result, sni, attested);
    if (accepted !== undefined) tracker.settle(accepted.raw, accepted.entry);
  });
  if (accepted !== undefined) tracker.attach(accepted.raw, accepted.entry, relay);
}
