// examples/envoy-tcp end to end: the shipped config against the emulator; teeinit renders
// the shipped envoy bootstrap (checked: tcp_proxy listener, require_client_certificate,
// paths into the tmpfs) and, since envoy is not installable here, relays through the
// haproxy stand-in (`verify required`) with the same files, cert and key concatenated by a
// teeinit template into a 0400 file. Two processes ordered by readiness: the backend first.
// curl --cert through it, a client without a certificate refused, then SIGTERM.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
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

describe('examples/envoy-tcp', { timeout: 120_000 }, () => {
  let dirs: Scratch;
  let emulator: RunningEmulator | undefined;
  let run: TeeinitRun | undefined;
  let pki: TestPki;
  let proxyPort: number;
  let backendPort: number;
  let backend: number[] = [];
  let haproxy: number[] = [];

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
    dirs = scratch('envoy-tcp');
    pki = await createTestPki(dirs.client, 'client');
    emulator = await startWorld(join(dirs.work, 'emulator'), tlsSecrets('envoy-tcp', pki));
    proxyPort = await freePort();
    backendPort = await freePort();
    const ports = { '8443': String(proxyPort), '9000': String(backendPort) };
    let tree = loadExample('envoy-tcp');
    for (const [from, to] of Object.entries(ports)) tree = replaceInStrings(tree, from, to);
    retarget(tree, testEnvironment(emulator, dirs.secrets));
    swapEnvoyForStandIn(tree, 'envoy-tcp', ports, dirs.work, {
      name: 'haproxy-standin',
      run: ['haproxy', '-db', '-f', '{{ file haproxy-config }}'],
      ready: { tcp: `127.0.0.1:${proxyPort}`, timeout: '30s' },
    });
    const templates = tree.templates!;
    templates['server-pem'] = {
      content: '{{ value server-cert }}{{ value server-key }}',
      allowValue: true,
    };
    templates['haproxy-config'] = {
      source: writeTemplate(
        examplePath('envoy-tcp', 'haproxy-standin.cfg.tmpl'),
        dirs.work,
        'haproxy.cfg.tmpl',
        ports,
      ),
      allowValue: false,
    };
    tree.files.entries!['server-pem'] = { name: 'server.pem', mode: '0400' };
    tree.files.entries!['haproxy-config'] = { name: 'haproxy.cfg', mode: '0400' };
    run = startTeeinit(writeConfig(dirs.work, tree));
    await waitPort(run, proxyPort);
    backend = await backendPids(run, 'hello from the tcp backend');
    haproxy = await backendPids(run, 'haproxy');
  });

  after(async () => {
    killTeeinit(run);
    await emulator?.stop();
    dirs?.remove();
  });

  test('teeinit renders the envoy tcp_proxy bootstrap with mTLS', { timeout: 10_000 }, () => {
    checkRenderedEnvoy({
      path: join(dirs.secrets, 'envoy.yaml'),
      secretsDir: dirs.secrets,
      listenPort: proxyPort,
      upstreamPort: backendPort,
      filter: 'envoy.filters.network.tcp_proxy',
    });
  });

  test('the backend started before the terminator (readiness order)', { timeout: 10_000 }, () => {
    // pids grow monotonically here (no wrap in a test run): the backend was spawned first.
    assert.ok(backend[0]! < haproxy[0]!, `backend ${backend[0]} before haproxy ${haproxy[0]}`);
  });

  test('the combined PEM is 0400 in the tmpfs', { timeout: 10_000 }, () => {
    assert.equal(statSync(join(dirs.secrets, 'server.pem')).mode & 0o777, 0o400);
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
    await expectCleanShutdown(run!, [...backend, ...haproxy], dirs.secrets, 143);
    assertNoSecrets(run!.output(), [pki.server.key]);
  });
});
