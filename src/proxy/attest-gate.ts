// A proxy's attested channel (`attest`): the token keeper of its `present` block, started
// before the proxy listens or dials and stopped with it, and one verifier per `require`
// policy (the proxy's and each SNI entry's). The fronts ask it, per connection, what to
// present and what to require; docs/attested-channel.md#proxy-integration.
import type { TLSSocket } from 'node:tls';
import {
  AttestRefusal,
  createPeerVerifier,
  exchangeEvidence,
  TokenKeeper,
  type AttestOutcome,
  type ClaimSummary,
  type EvidenceSource,
  type PeerVerifier,
  type Role,
} from '../attest/index.js';
import type { ProxyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';

/** What one connection exchanges: our evidence (absent: a "none" frame) and the policy. */
export interface AttestPlan {
  readonly present?: EvidenceSource;
  readonly require?: PeerVerifier;
}

/** Why an object: one keeper and one verifier per policy for all of a proxy's connections. */
export interface AttestGate {
  /**
   * What a connection through SNI entry `sni` (mtls-server; else the proxy's own) runs,
   * or undefined when it runs no exchange at all.
   */
  planFor(sni?: string): AttestPlan | undefined;
  /** Stops refreshing the token (the proxy's close()). */
  stop(): void;
}

/** Whether `config` attests any of its connections (its own block or an SNI entry's). */
export function usesAttest(config: ProxyConfig): boolean {
  return (
    config.attest !== undefined ||
    Object.values(config.sniCa).some((entry) => entry.attest !== undefined)
  );
}

/**
 * Fails closed: resolves only once the first token is held (TEEINIT_TOKEN_UNAVAILABLE
 * after `present.startupDeadline`) and every policy's files are read (TEEINIT_ATTEST_INPUT).
 * OIDC keys are fetched here too, but an issuer that cannot be reached does not stop the
 * start: until it can, each connection presenting an OIDC token is refused with
 * `attestation-keys-unavailable` (a warning says so now).
 */
export async function startAttestGate(
  config: ProxyConfig,
  log: Logger,
  signal?: AbortSignal,
): Promise<AttestGate> {
  const own = config.attest?.require;
  const verifiers = new Map<string, PeerVerifier>();
  const build = (policy: Parameters<typeof createPeerVerifier>[0], key: string): PeerVerifier => {
    try {
      return createPeerVerifier(policy);
    } catch (error) {
      if (!(error instanceof TeeinitError)) throw error;
      throw new TeeinitError(error.code, `proxies.${config.name}.${key}: ${error.message}`, {
        cause: error,
        hint: error.hint,
        fields: { ...error.fields, proxy: config.name },
      });
    }
  };
  const ownVerifier = own === undefined ? undefined : build(own, 'attest.require');
  for (const [name, entry] of Object.entries(config.sniCa)) {
    if (entry.attest === undefined) continue;
    verifiers.set(
      name.toLowerCase(),
      build(entry.attest.require, `sniCa["${name}"].attest.require`),
    );
  }
  await warnUnavailableKeys(config, [ownVerifier, ...verifiers.values()], log);
  const keeper = await startKeeper(config, log, signal);
  const present = keeper === undefined ? {} : { present: keeper };
  return {
    planFor(sni?: string): AttestPlan | undefined {
      const require =
        (sni === undefined ? undefined : verifiers.get(sni.toLowerCase())) ?? ownVerifier;
      if (keeper === undefined && require === undefined) return undefined;
      return { ...present, ...(require === undefined ? {} : { require }) };
    },
    stop(): void {
      keeper?.stop();
    },
  };
}

async function startKeeper(
  config: ProxyConfig,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<TokenKeeper | undefined> {
  const present = config.attest?.present;
  if (present === undefined) return undefined;
  try {
    return await TokenKeeper.start({
      socketPath: present.socket,
      audience: present.audience,
      tokenType: present.tokenType,
      startDeadlineMs: present.startupDeadline,
      ...(signal === undefined ? {} : { signal }),
      onEvent(event) {
        if (event.kind === 'token') {
          log.info('attestation token obtained', {
            tokenType: present.tokenType,
            audience: present.audience,
            expiresAt: new Date(event.expiresAt).toISOString(),
          });
        } else {
          log.warn('attestation token request failed; retrying', {
            socket: present.socket,
            error: event.error.message,
            retryInMs: event.retryInMs,
          });
        }
      },
    });
  } catch (error) {
    if (!(error instanceof TeeinitError) || error.code !== 'TEEINIT_TOKEN_UNAVAILABLE') throw error;
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `Proxy "${config.name}" has no attestation token to present within proxies.${config.name}.attest.present.startupDeadline: ${error.message}`,
      {
        cause: error,
        hint: `Check that the launcher answers on proxies.${config.name}.attest.present.socket (default attestation.socket), or raise attest.present.startupDeadline.`,
        fields: { proxy: config.name, socket: present.socket },
      },
    );
  }
}

async function warnUnavailableKeys(
  config: ProxyConfig,
  verifiers: readonly (PeerVerifier | undefined)[],
  log: Logger,
): Promise<void> {
  const refusals = await Promise.all(
    verifiers.map((v) => v?.prefetchKeys() ?? Promise.resolve(undefined)),
  );
  const first = refusals.find((r): r is AttestRefusal => r !== undefined);
  if (first === undefined) return;
  log.warn(
    'attestation keys unavailable: connections presenting OIDC tokens are refused (attestation-keys-unavailable) until the issuer answers',
    { proxy: config.name, detail: first.detail },
  );
}

/** The fields a log line gives about a peer's evidence: its claims, never its token. */
export function claimFields(claims: ClaimSummary | undefined): Record<string, unknown> {
  if (claims === undefined) return {};
  const out: Record<string, unknown> = { tokenType: claims.tokenType };
  const keys = [
    'imageDigest',
    'imageReference',
    'hwmodel',
    'dbgstat',
    'supportAttributes',
    'projectId',
    'instanceName',
  ] as const;
  for (const key of keys) if (claims[key] !== undefined) out[key] = claims[key];
  return out;
}

/**
 * The exchange on one connection, after the TLS handshake and before any relayed byte.
 * `timeoutMs` is what is left of the connection's handshake budget. Never rejects: an
 * unexpected failure of the check is a refusal too (fail closed).
 */
export async function attestConnection(
  socket: TLSSocket,
  plan: AttestPlan,
  role: Role,
  timeoutMs: number,
): Promise<AttestOutcome> {
  try {
    return await exchangeEvidence(socket, { ...plan, role, timeoutMs: Math.max(1, timeoutMs) });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      refusal: new AttestRefusal(
        'attestation-malformed',
        `the evidence could not be checked: ${why}`,
      ),
    };
  }
}
