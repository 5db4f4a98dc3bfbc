// The `/metrics` families from a status document: phase, processes, certificate expiry,
// refresh counters (only when refresh is on; the last success only after one) and proxy
// counters (one rejected series per reason present), all readable by a strict parser.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsentTracker } from '../consent/index.js';
import { TeeinitError } from '../errors/index.js';
import { withFailure } from '../retry/index.js';
import type { TlsMaterial } from '../keys/index.js';
import type { ProxyStats } from '../proxy/index.js';
import { parseExposition, sampleValue } from '../../test/helpers/prometheus-parse.js';
import { formatExposition } from './prometheus-text.js';
import { statusMetrics } from './status-metrics.js';
import { StatusState } from './status-state.js';

const NOT_AFTER = new Date('2031-05-06T07:08:09.000Z');

const STATS: ProxyStats = {
  name: 'ingress',
  mode: 'mtls-server',
  open: 2,
  accepted: 9,
  established: 5,
  rejected: { 'not-authorized': 3, 'handshake-timeout': 1 },
  handshakeFailures: 1,
  targetFailures: 0,
  bytesIn: 1000,
  bytesOut: 2000,
};

function state(refresh: boolean): StatusState {
  const s = new StatusState({
    version: '0.0.0-test',
    configSha256: 'a'.repeat(64),
    processes: ['app', 'side car'],
    refresh,
  });
  s.setCertificates(new Map([['server', { subject: 'CN=x', notAfter: NOT_AFTER } as TlsMaterial]]));
  s.attach({ proxies: () => [{ stats: () => STATS }] });
  return s;
}

const scrape = (s: StatusState): ReturnType<typeof parseExposition> =>
  parseExposition(formatExposition(statusMetrics(s.snapshot())));

describe('status metrics', { timeout: 5000 }, () => {
  test('phase, start time, processes and the certificate', () => {
    const s = state(false);
    s.setPhase('running');
    const m = scrape(s);
    assert.equal(sampleValue(m, 'teeinit_up'), 1);
    for (const phase of ['starting', 'running', 'stopping']) {
      assert.equal(sampleValue(m, 'teeinit_phase', { phase }), phase === 'running' ? 1 : 0);
    }
    const start = sampleValue(m, 'teeinit_start_time_seconds') ?? 0;
    assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 2, String(start));
    // Before the supervisor is attached: configured names, not running.
    assert.equal(sampleValue(m, 'teeinit_process_up', { process: 'side car' }), 0);
    assert.equal(sampleValue(m, 'teeinit_process_ready', { process: 'app' }), 0);
    assert.equal(sampleValue(m, 'teeinit_process_restarts_total', { process: 'app' }), 0);
    assert.equal(
      sampleValue(m, 'teeinit_certificate_not_after_seconds', { bundle: 'server' }),
      NOT_AFTER.getTime() / 1000,
    );
    assert.equal(m.families.get('teeinit_process_restarts_total')?.type, 'counter');
    assert.ok(![...m.families.keys()].some((n) => n.startsWith('teeinit_refresh_')));
  });

  test('supervised processes: up, ready, restarts', () => {
    const s = state(false);
    s.attach({
      supervisor: () => ({
        phase: 'running',
        processes: [
          { name: 'app', pid: 42, restarts: 2, ready: true },
          { name: 'side car', restarts: 1, ready: false, lastExitCode: 1 },
        ],
      }),
    });
    const m = scrape(s);
    assert.equal(sampleValue(m, 'teeinit_process_up', { process: 'app' }), 1);
    assert.equal(sampleValue(m, 'teeinit_process_ready', { process: 'app' }), 1);
    assert.equal(sampleValue(m, 'teeinit_process_restarts_total', { process: 'app' }), 2);
    assert.equal(sampleValue(m, 'teeinit_process_up', { process: 'side car' }), 0);
    assert.equal(sampleValue(m, 'teeinit_process_restarts_total', { process: 'side car' }), 1);
  });

  test('refresh: counters once enabled, the last success only after one', () => {
    const s = state(true);
    let m = scrape(s);
    assert.equal(sampleValue(m, 'teeinit_refresh_attempts_total'), 0);
    assert.equal(sampleValue(m, 'teeinit_refresh_failures_total'), 0);
    assert.ok(!m.families.has('teeinit_refresh_last_success_seconds'));
    s.refreshAttempted(new Date());
    s.refreshFailed(new TeeinitError('TEEINIT_SECRET_NOT_FOUND', 'secret ca: not found.'));
    const at = new Date('2030-01-02T03:04:05.678Z');
    s.refreshAttempted(at);
    s.refreshSucceeded(at, new Map());
    m = scrape(s);
    assert.equal(sampleValue(m, 'teeinit_refresh_attempts_total'), 2);
    assert.equal(sampleValue(m, 'teeinit_refresh_failures_total'), 1);
    assert.equal(sampleValue(m, 'teeinit_refresh_last_success_seconds'), at.getTime() / 1000);
    assert.equal(s.snapshot().refresh.attempts, 2, '/status shows the counters too');
  });

  test('proxies: labels proxy and mode, one rejected series per reason, bytes by direction', () => {
    const m = scrape(state(false));
    const p = { proxy: 'ingress', mode: 'mtls-server' };
    assert.equal(sampleValue(m, 'teeinit_proxy_connections_open', p), 2);
    assert.equal(sampleValue(m, 'teeinit_proxy_connections_accepted_total', p), 9);
    assert.equal(sampleValue(m, 'teeinit_proxy_connections_established_total', p), 5);
    const rejected = m.samples.filter((x) => x.name === 'teeinit_proxy_connections_rejected_total');
    assert.deepEqual(
      rejected.map((x) => [x.labels.reason, x.value]),
      [
        ['not-authorized', 3],
        ['handshake-timeout', 1],
      ],
    );
    assert.equal(sampleValue(m, 'teeinit_proxy_handshake_failures_total', p), 1);
    assert.equal(sampleValue(m, 'teeinit_proxy_target_failures_total', p), 0);
    assert.equal(sampleValue(m, 'teeinit_proxy_bytes_total', { ...p, direction: 'in' }), 1000);
    assert.equal(sampleValue(m, 'teeinit_proxy_bytes_total', { ...p, direction: 'out' }), 2000);
  });

  test('consent: one gauge series per collaborator and state, refusals counted; absent without refresh', () => {
    assert.equal(
      scrape(state(false)).samples.some((x) => x.name.startsWith('teeinit_collaborator_')),
      false,
    );
    const s = state(true);
    const tracker = new ConsentTracker(['alice', 'bob'], 2);
    const denied = withFailure(
      new TeeinitError('TEEINIT_PERMISSION_DENIED', 'denied', { fields: { secret: 'b' } }),
      'denied',
    );
    for (let i = 0; i < 2; i++) {
      tracker.observe('a', 'alice');
      tracker.observe('b', 'bob', denied);
      tracker.endCycle();
    }
    s.attach({ consent: () => tracker.snapshot() });
    const m = scrape(s);
    for (const state of ['consenting', 'refusing', 'revoked']) {
      assert.equal(
        sampleValue(m, 'teeinit_collaborator_consent', { collaborator: 'bob', state }),
        state === 'revoked' ? 1 : 0,
      );
      assert.equal(
        sampleValue(m, 'teeinit_collaborator_consent', { collaborator: 'alice', state }),
        state === 'consenting' ? 1 : 0,
      );
    }
    assert.equal(sampleValue(m, 'teeinit_collaborator_refusals_total', { collaborator: 'bob' }), 2);
    assert.equal(
      sampleValue(m, 'teeinit_collaborator_refusals_total', { collaborator: 'alice' }),
      0,
    );
    const bob = s.snapshot().collaborators.find((c) => c.collaborator === 'bob');
    assert.equal(bob?.state, 'revoked');
    assert.equal(bob?.lastRefusal?.cause, 'binding-removed');
  });
});
