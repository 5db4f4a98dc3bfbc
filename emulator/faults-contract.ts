// The contract between the emulator's services and its fault injector (emulator/faults/).
import type { ServerResponse } from 'node:http';

/** Route ids used in fault rules: `<service>.<method>`. */
export type RouteId =
  | 'sts.token'
  | 'iam.generateAccessToken'
  | 'secretmanager.access'
  | 'secretmanager.other'
  | 'metadata.get'
  | 'teeserver.token';

/** What a service must do with a request after the injector looked at it. */
export type FaultDecision =
  /** Serve normally. */
  | { readonly kind: 'pass' }
  /** The injector already answered (error status) or destroyed the socket (reset). */
  | { readonly kind: 'handled' }
  /** Serve normally, but corrupt the payload bytes or the CRC in the answer. */
  | { readonly kind: 'corrupt'; readonly what: 'payload' | 'crc' }
  /** Serve normally, but treat the caller's token as expired. */
  | { readonly kind: 'expired-token' };

export interface FaultInjector {
  /** Applies latency (awaited here) and decides; call first thing in every route. */
  intercept(route: RouteId, res: ServerResponse): Promise<FaultDecision>;
}

/** An injector that never injects anything. */
export const noFaults: FaultInjector = {
  intercept: () => Promise.resolve({ kind: 'pass' }),
};
