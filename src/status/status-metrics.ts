// The `/metrics` families, built from the same `/status` document: phase, processes,
// certificate expiry, refresh counters and every proxy's counters. Labels are config names
// (process, bundle, proxy), the proxy mode, a refusal reason or a direction: never a secret
// value, argv, environment or a path.
import type { ProxyStats } from '../proxy/index.js';
import type { MetricFamily, Sample } from './prometheus-text.js';
import type { RunPhase, StatusDocument } from './status-state.js';

const PHASES: readonly RunPhase[] = ['starting', 'running', 'stopping'];

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/** Why: one scrape of teeinit, as families for `formatExposition`. */
export function statusMetrics(doc: StatusDocument): MetricFamily[] {
  return [
    ...runMetrics(doc),
    ...processMetrics(doc),
    ...refreshMetrics(doc),
    ...consentMetrics(doc),
    ...proxyMetrics(doc.proxies),
  ];
}

const CONSENT_STATES = ['consenting', 'refusing', 'revoked'] as const;

function consentMetrics(doc: StatusDocument): MetricFamily[] {
  if (doc.collaborators.length === 0) return [];
  return [
    gauge(
      'teeinit_collaborator_consent',
      "A collaborator's consent as refresh cycles see it: 1 for the current state (consenting, refusing, revoked), 0 for the others.",
      doc.collaborators.flatMap((c) =>
        CONSENT_STATES.map((state) => ({
          labels: { collaborator: c.collaborator, state },
          value: c.state === state ? 1 : 0,
        })),
      ),
    ),
    counter(
      'teeinit_collaborator_refusals_total',
      'Refresh cycles in which the collaborator refused (403, NOT_FOUND, FAILED_PRECONDITION, an STS refusal) and nothing of it was fetched.',
      doc.collaborators.map((c) => ({
        labels: { collaborator: c.collaborator },
        value: c.refusals,
      })),
    ),
  ];
}

function runMetrics(doc: StatusDocument): MetricFamily[] {
  return [
    gauge('teeinit_up', 'Whether teeinit answers (always 1).', [{ value: 1 }]),
    gauge(
      'teeinit_phase',
      'The run phase: 1 for the current one (starting, running, stopping), 0 for the others.',
      PHASES.map((phase) => ({ labels: { phase }, value: phase === doc.phase ? 1 : 0 })),
    ),
    gauge('teeinit_start_time_seconds', 'When teeinit started, in Unix seconds.', [
      { value: seconds(doc.startedAt) },
    ]),
    gauge(
      'teeinit_certificate_not_after_seconds',
      "The tls bundle's leaf certificate notAfter, in Unix seconds.",
      doc.certificates.map((c) => ({ labels: { bundle: c.bundle }, value: seconds(c.notAfter) })),
    ),
  ];
}

function processMetrics(doc: StatusDocument): MetricFamily[] {
  const per = (value: (p: StatusDocument['processes'][number]) => number): Sample[] =>
    doc.processes.map((p) => ({ labels: { process: p.name }, value: value(p) }));
  return [
    gauge(
      'teeinit_process_up',
      'Whether the process is running (1) or not (0).',
      per((p) => (p.pid === undefined ? 0 : 1)),
    ),
    counter(
      'teeinit_process_restarts_total',
      'Restarts by the restart policy (refresh replacements are not counted).',
      per((p) => p.restarts),
    ),
    gauge(
      'teeinit_process_ready',
      'Whether the process passed its ready check (or has none) and is running.',
      per((p) => (p.ready ? 1 : 0)),
    ),
  ];
}

function refreshMetrics(doc: StatusDocument): MetricFamily[] {
  const r = doc.refresh;
  if (!r.enabled) return [];
  return [
    counter('teeinit_refresh_attempts_total', 'Refresh cycles begun.', [{ value: r.attempts }]),
    counter('teeinit_refresh_failures_total', 'Refresh cycles failed.', [{ value: r.failures }]),
    gauge(
      'teeinit_refresh_last_success_seconds',
      'When a refresh cycle last succeeded, in Unix seconds.',
      r.lastSuccessAt === undefined ? [] : [{ value: seconds(r.lastSuccessAt) }],
    ),
  ];
}

function proxyMetrics(proxies: readonly ProxyStats[]): MetricFamily[] {
  const labels = (p: ProxyStats): Record<string, string> => ({ proxy: p.name, mode: p.mode });
  const per = (value: (p: ProxyStats) => number): Sample[] =>
    proxies.map((p) => ({ labels: labels(p), value: value(p) }));
  return [
    gauge(
      'teeinit_proxy_connections_open',
      'Connections accepted and not yet closed (handshaking or relaying).',
      per((p) => p.open),
    ),
    counter(
      'teeinit_proxy_connections_accepted_total',
      'TCP connections accepted.',
      per((p) => p.accepted),
    ),
    counter(
      'teeinit_proxy_connections_established_total',
      'Relays established: peer admitted and the target accepted the connection (counted when the target connects; a target that refuses or times out counts in teeinit_proxy_target_failures_total instead).',
      per((p) => p.established),
    ),
    counter(
      'teeinit_proxy_connections_rejected_total',
      'Connections refused, by reason.',
      proxies.flatMap((p) =>
        Object.entries(p.rejected).map(([reason, value]) => ({
          labels: { ...labels(p), reason },
          value: value ?? 0,
        })),
      ),
    ),
    counter(
      'teeinit_proxy_handshake_failures_total',
      'TLS handshakes that failed or timed out.',
      per((p) => p.handshakeFailures),
    ),
    counter(
      'teeinit_proxy_target_failures_total',
      'Admitted connections whose target was unreachable, refused or timed out (never established).',
      per((p) => p.targetFailures),
    ),
    counter(
      'teeinit_proxy_bytes_total',
      'Plaintext bytes relayed: in is peer to target, out is target to peer.',
      proxies.flatMap((p) => [
        { labels: { ...labels(p), direction: 'in' }, value: p.bytesIn },
        { labels: { ...labels(p), direction: 'out' }, value: p.bytesOut },
      ]),
    ),
  ];
}

function gauge(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: 'gauge', samples };
}

function counter(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: 'counter', samples };
}
