// examples/envoy-tcp end to end: the shipped config against the emulator; teeinit renders
// the shipped envoy bootstrap (checked: tcp_proxy listener, require_client_certificate,
// paths into the tmpfs) and, since envoy is not installable here, relays through the
// haproxy stand-in (`verify required`) with the same files, cert and key concatenated by a
// teeinit template into a 0400 file. Two processes ordered by readiness: the backend first.
// curl --cert through it, a client without a certificate refused, then SIGTERM.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { expectCleanShutdown, logRecords, expectReadyz } from './checks.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { checkRenderedEnvoy, curlThrough, swapEnvoyForStandIn } from './envoy-standin.js';
import { useMtlsExample } from './mtls-fixture.js';

describe('examples/envoy-tcp', { timeout: 120_000 }, () => {
  const ex = useMtlsExample({
    example: 'envoy-tcp',
    secretPrefix: 'envoy-tcp',
    clientCn: 'client',
    ports: { proxy: '8443', backend: '9000' },
    listen: 'proxy',
    backends: { backend: 'hello from the tcp backend', haproxy: 'haproxy' },
    configure: (tree, { dirs, portMap }) => {
      swapEnvoyForStandIn(tree, 'envoy-tcp', portMap, dirs.work, {
        name: 'haproxy-standin',
        run: ['haproxy', '-db', '-f', '{{ file haproxy-config }}'],
        config: {
          key: 'haproxy-config',
          template: 'haproxy-standin.cfg.tmpl',
          file: 'haproxy.cfg',
        },
      });
      // haproxy wants certificate and key in one file: `| pem` lets PEM blocks, and only
      // them, through (a raw value with line breaks is refused in a config template).
      tree.templates!['server-pem'] = {
        content: '{{ value server-cert | pem }}{{ value server-key | pem }}',
        allowValue: true,
      };
      tree.files.entries!['server-pem'] = { name: 'server.pem', mode: '0400' };
    },
  });
  const curl = (withCert: boolean) => curlThrough(ex.pki, ex.ports.proxy, withCert);

  test('teeinit renders the envoy tcp_proxy bootstrap with mTLS', { timeout: 10_000 }, () => {
    checkRenderedEnvoy({
      path: join(ex.dirs.secrets, 'envoy.yaml'),
      secretsDir: ex.dirs.secrets,
      listenPort: ex.ports.proxy,
      upstreamPort: ex.ports.backend,
      filter: 'envoy.filters.network.tcp_proxy',
    });
  });

  test('the backend started before the terminator (readiness order)', { timeout: 10_000 }, () => {
    // Not by comparing pids: they wrap at pid_max on a busy machine. teeinit's own log is the
    // order it acted in; the pids tie its lines to the processes found in /proc.
    const records = logRecords(ex.run);
    const at = (message: string, process: string, pid?: number): number =>
      records.findIndex(
        (r) =>
          r.message === message && r.process === process && (pid === undefined || r.pid === pid),
      );
    const backendStarted = at('started', 'backend', ex.pids.backend[0]);
    const backendReady = at('ready', 'backend');
    const haproxyStarted = at('started', 'haproxy-standin', ex.pids.haproxy[0]);
    const order = `started backend #${backendStarted}, ready backend #${backendReady}, started haproxy #${haproxyStarted}`;
    assert.ok(backendStarted >= 0 && haproxyStarted >= 0, order);
    assert.ok(backendStarted < backendReady && backendReady < haproxyStarted, order);
  });

  test('the combined PEM is 0400 in the tmpfs', { timeout: 10_000 }, () => {
    assert.equal(statSync(join(ex.dirs.secrets, 'server.pem')).mode & 0o777, 0o400);
  });

  test('curl --cert reaches the backend through the mTLS relay', { timeout: 20_000 }, async () => {
    const r = await curl(true);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello from the tcp backend/);
  });

  test('a client without a certificate is refused', { timeout: 20_000 }, async () => {
    const r = await curl(false);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stdout, /hello/);
  });

  test(
    'the shipped status endpoint answers /readyz 200 (HTTP health check)',
    { timeout: 10_000 },
    () => expectReadyz(ex.statusPort),
  );

  test('SIGTERM stops both processes, tmpfs emptied', { timeout: 40_000 }, async () => {
    // The main (first) process is the node backend, which dies of SIGTERM: 128 + 15.
    const { backend, haproxy } = ex.pids;
    await expectCleanShutdown(ex.run, [...backend, ...haproxy], ex.dirs.secrets, 143);
    assertNoSecrets(ex.run.output(), [ex.pki.server.key], 'teeinit output');
  });
});
