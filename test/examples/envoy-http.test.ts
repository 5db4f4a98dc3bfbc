// examples/envoy-http end to end: the shipped config against the emulator; teeinit renders
// the shipped envoy bootstrap (checked: listener, require_client_certificate, paths into the
// tmpfs) and, since envoy is not installable here, serves the same files through the nginx
// stand-in (ssl_verify_client on) in front of the shipped app. curl --cert through it, a
// client without a certificate refused, then SIGTERM.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { expectCleanShutdown, expectReadyz } from './checks.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { checkRenderedEnvoy, curlThrough, swapEnvoyForStandIn } from './envoy-standin.js';
import { useMtlsExample } from './mtls-fixture.js';

describe('examples/envoy-http', { timeout: 120_000 }, () => {
  const ex = useMtlsExample({
    example: 'envoy-http',
    secretPrefix: 'envoy',
    clientCn: 'client',
    ports: { proxy: '8443', app: '8080' },
    listen: 'proxy',
    backends: { app: 'hello from the app', nginx: 'nginx' },
    configure: (tree, { dirs, portMap }) => {
      const runDir = join(dirs.work, 'nginx');
      mkdirSync(runDir);
      swapEnvoyForStandIn(tree, 'envoy-http', portMap, dirs.work, {
        name: 'nginx-standin',
        run: ['nginx', '-p', runDir, '-e', 'stderr', '-c', '{{ file nginx-config }}'],
        config: {
          key: 'nginx-config',
          template: 'nginx-standin.conf.tmpl',
          file: 'nginx.conf',
          replacements: { '@RUNDIR@': runDir },
        },
      });
    },
  });
  const curl = (withCert: boolean) => curlThrough(ex.pki, ex.ports.proxy, withCert);

  test('teeinit renders the envoy bootstrap with mTLS and tmpfs paths', { timeout: 10_000 }, () => {
    checkRenderedEnvoy({
      path: join(ex.dirs.secrets, 'envoy.yaml'),
      secretsDir: ex.dirs.secrets,
      listenPort: ex.ports.proxy,
      upstreamPort: ex.ports.app,
      filter: 'envoy.filters.network.http_connection_manager',
    });
  });

  test('curl --cert reaches the app through the mTLS terminator', { timeout: 20_000 }, async () => {
    const r = await curl(true);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello from the app, client authenticated/);
  });

  test('a client without a certificate does not reach the app', { timeout: 20_000 }, async () => {
    const r = await curl(false);
    assert.doesNotMatch(r.stdout, /hello from the app/);
  });

  test(
    'the shipped status endpoint answers /readyz 200 (HTTP health check)',
    { timeout: 10_000 },
    () => expectReadyz(ex.statusPort),
  );

  test('SIGTERM stops the app and the terminator, tmpfs emptied', { timeout: 40_000 }, async () => {
    // The main (first) process is the node app, which dies of SIGTERM: 128 + 15.
    await expectCleanShutdown(ex.run, [...ex.pids.app, ...ex.pids.nginx], ex.dirs.secrets, 143);
    assertNoSecrets(ex.run.output(), [ex.pki.server.key], 'teeinit output');
  });
});
