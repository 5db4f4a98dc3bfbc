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
import { assertNoSecrets, expectCleanShutdown } from './checks.js';
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
      // haproxy wants certificate and key in one file.
      tree.templates!['server-pem'] = {
        content: '{{ value server-cert }}{{ value server-key }}',
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
    // pids grow monotonically here (no wrap in a test run): the backend was spawned first.
    const [backend, haproxy] = [ex.pids.backend[0]!, ex.pids.haproxy[0]!];
    assert.ok(backend < haproxy, `backend ${backend} before haproxy ${haproxy}`);
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

  test('SIGTERM stops both processes, tmpfs emptied', { timeout: 40_000 }, async () => {
    // The main (first) process is the node backend, which dies of SIGTERM: 128 + 15.
    const { backend, haproxy } = ex.pids;
    await expectCleanShutdown(ex.run, [...backend, ...haproxy], ex.dirs.secrets, 143);
    assertNoSecrets(ex.run.output(), [ex.pki.server.key]);
  });
});
