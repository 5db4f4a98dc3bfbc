// examples/envoy-http end to end: the shipped config against the emulator; teeinit renders
// the shipped envoy bootstrap (checked: listener, require_client_certificate, paths into the
// tmpfs) and, since envoy is not installable here, serves the same files through the nginx
// stand-in (ssl_verify_client on) in front of the shipped app. curl --cert through it, a
// client without a certificate refused, then SIGTERM.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningEmulator } from '../../emulator/index.js';
import { assertNoSecrets, backendPids, expectCleanShutdown, waitPort } from './checks.js';
import { checkRenderedEnvoy, swapEnvoyForStandIn } from './envoy-standin.js';
import {
  examplePath,
  loadExample,
  replaceInStrings,
  retarget,
  writeConfig,
  writeTemplate,
} from './example-config.js';
import { freePort } from '../helpers/net.js';
import { killTeeinit, scratch, startTeeinit, type Scratch, type TeeinitRun } from './harness.js';
import { runCommand } from '../helpers/command.js';
import { createTestPki, startWorld, testEnvironment, tlsSecrets, type TestPki } from './world.js';

describe('examples/envoy-http', { timeout: 120_000 }, () => {
  let dirs: Scratch;
  let emulator: RunningEmulator | undefined;
  let run: TeeinitRun | undefined;
  let pki: TestPki;
  let proxyPort: number;
  let appPort: number;
  let pids: number[] = [];

  const curl = (withCert: boolean) =>
    runCommand([
      'curl',
      '-sS',
      '--max-time',
      '10',
      '--cacert',
      pki.clientFiles.ca,
      ...(withCert ? ['--cert', pki.clientFiles.cert, '--key', pki.clientFiles.key] : []),
      `https://127.0.0.1:${proxyPort}/`,
    ]);

  before(async () => {
    dirs = scratch('envoy-http');
    pki = await createTestPki(dirs.client, 'client');
    emulator = await startWorld(join(dirs.work, 'emulator'), tlsSecrets('envoy', pki));
    proxyPort = await freePort();
    appPort = await freePort();
    const ports = { '8443': String(proxyPort), '8080': String(appPort) };
    let tree = loadExample('envoy-http');
    for (const [from, to] of Object.entries(ports)) tree = replaceInStrings(tree, from, to);
    retarget(tree, testEnvironment(emulator, dirs.secrets));
    const runDir = join(dirs.work, 'nginx');
    mkdirSync(runDir);
    swapEnvoyForStandIn(tree, 'envoy-http', ports, dirs.work, {
      name: 'nginx-standin',
      run: ['nginx', '-p', runDir, '-e', 'stderr', '-c', '{{ file nginx-config }}'],
      ready: { tcp: `127.0.0.1:${proxyPort}`, timeout: '30s' },
    });
    tree.templates!['nginx-config'] = {
      source: writeTemplate(
        examplePath('envoy-http', 'nginx-standin.conf.tmpl'),
        dirs.work,
        'nginx.conf.tmpl',
        {
          ...ports,
          '@RUNDIR@': runDir,
        },
      ),
      allowValue: false,
    };
    tree.files.entries!['nginx-config'] = { name: 'nginx.conf', mode: '0400' };
    run = startTeeinit(writeConfig(dirs.work, tree));
    await waitPort(run, proxyPort);
    pids = [
      ...(await backendPids(run, 'hello from the app')),
      ...(await backendPids(run, 'nginx')),
    ];
  });

  after(async () => {
    killTeeinit(run);
    await emulator?.stop();
    dirs?.remove();
  });

  test('teeinit renders the envoy bootstrap with mTLS and tmpfs paths', { timeout: 10_000 }, () => {
    checkRenderedEnvoy({
      path: join(dirs.secrets, 'envoy.yaml'),
      secretsDir: dirs.secrets,
      listenPort: proxyPort,
      upstreamPort: appPort,
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

  test('SIGTERM stops the app and the terminator, tmpfs emptied', { timeout: 40_000 }, async () => {
    // The main (first) process is the node app, which dies of SIGTERM: 128 + 15.
    await expectCleanShutdown(run!, pids, dirs.secrets, 143);
    assertNoSecrets(run!.output(), [pki.server.key]);
  });
});
