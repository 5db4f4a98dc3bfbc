// `teeinit run` with `refresh` against the emulator, a collaborator withdrawing its consent
// while traffic flows: bob removes the image's accessor binding (IAM propagation 0 here) →
// after `confirmations` refused cycles, with onRevoke stop, the proxies built from his
// material close (an open connection too, new ones are refused), the process using his key
// stops for good, his files go, /status and /metrics say `revoked` and why, and once nothing
// is left teeinit exits 76 (TEEINIT_CONSENT_REVOKED) with no secret file left; with keep,
// traffic goes on with a WARNING each cycle; a 503 storm on alice's secrets lasting more
// cycles than `confirmations` changes nothing. The 10-minute start-up permission grace is
// on in every config: it must not mask a revocation. No secret value in any output.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { startDemoWorld, type DemoWorld } from '../../emulator/demo-world.js';
import { DEFAULT_POOL, imagePrincipalSet } from '../../emulator/default-world.js';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import { secretKey } from '../../emulator/store.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { httpAnswer } from '../helpers/http-get.js';
import { canConnect, freePort } from '../helpers/net.js';
import { pollUntil, withDeadline } from '../helpers/poll.js';
import {
  logLines,
  runTeeinit,
  stopAllTeeinit,
  type TeeinitProcess,
} from '../helpers/teeinit-process.js';
import { removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';
import { pskEcho } from '../run/threshold-world.js';
import { demoSecretValues } from '../run/run-world.js';
import { worldConfig, writeConfig } from '../run/world-config.js';
import { openSession } from './rotation.js';

// An echo server on argv[1]; further arguments (a secret file's path) are only "used".
const ECHO = `require('node:net').createServer((s) => s.pipe(s)).listen(Number(process.argv[1]), '127.0.0.1');`;

const BOB = '222222222222';

/** The part of `/status` these tests read. */
interface ConsentBody {
  processes: { name: string; pid?: number; retired?: boolean }[];
  collaborators: {
    collaborator: string;
    state: string;
    count: number;
    confirmations: number;
    refusals: number;
    lastRefusal?: { kind: string; code: string; secret: string; cause: string; causeText: string };
  }[];
}

describe('refresh: revocation', { timeout: 300_000 }, () => {
  let world: DemoWorld;
  let work: string;
  const secrets = tmpfsDir('teeinit-revoke-secrets-');
  const outputs: string[] = [];

  before(async () => {
    work = tempDir('teeinit-revoke-').dir;
    world = await startDemoWorld({ stateDir: join(work, 'emulator'), iamPropagationSeconds: 0 });
    // bob also holds the CA the mTLS proxy checks its clients against.
    applySeed(
      world.emulator.store,
      parseSeedDocument({
        secrets: [
          {
            project: 'bob-proj',
            id: 'bob-ca',
            versions: [{ data: world.ca.cert }],
            bindings: [
              {
                role: 'roles/secretmanager.secretAccessor',
                members: [imagePrincipalSet(BOB, DEFAULT_POOL, DEFAULT_IMAGE_DIGEST)],
              },
            ],
          },
        ],
      }),
      Date.now,
    );
  });
  after(async () => {
    await stopAllTeeinit();
    for (const out of outputs) assertNoSecrets(out, demoSecretValues(world), 'teeinit output');
    await world.stop();
    removeDir(work);
    removeDir(secrets.path);
  });

  const psk = (): Buffer => demoSecretValues(world).at(-1) as Buffer;
  const bobGrants = new Map<string, unknown>();
  /** bob removes the image's binding on each of his secrets (and puts it back after). */
  const revokeBob = (): void => {
    const { store } = world.emulator;
    for (const id of ['bob-share', 'bob-ca']) {
      const secret = store.secrets.get(secretKey(BOB, id));
      assert.ok(secret, id);
      bobGrants.set(id, secret.bindings);
      store.setSecretBindings(secret, [], Date.now());
    }
  };
  const regrantBob = (): void => {
    const { store } = world.emulator;
    for (const [id, bindings] of bobGrants) {
      const secret = store.secrets.get(secretKey(BOB, id));
      if (secret) store.setSecretBindings(secret, bindings as typeof secret.bindings, Date.now());
    }
    bobGrants.clear();
  };

  interface Started {
    t: TeeinitProcess;
    dir: string;
    statusPort: number;
    mtlsPort: number;
    pskPort: number;
  }

  /**
   * Starts teeinit with `processes` (each an echo on its own port, given `uses` as a file)
   * and two proxies: an mtls-server whose bundle's CA is bob's, a psk-server on session-psk
   * (from alice's and bob's shares). `keeper` adds an echo that uses only alice's cert.
   */
  async function start(
    name: string,
    options: {
      bob?: Record<string, unknown>;
      keys?: Record<string, unknown>;
      keeper?: boolean;
      mtls?: boolean;
    } = {},
  ): Promise<Started> {
    const dir = join(secrets.path, name);
    const [echoPort, keeperPort, mtlsPort, pskPort, statusPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const base = world.configBase as Record<string, Record<string, unknown>>;
    const processes: Record<string, unknown>[] = [
      {
        name: 'echo',
        run: [process.execPath, '-e', ECHO, String(echoPort), '{{ file session-psk }}'],
        ready: { tcp: `127.0.0.1:${echoPort}` },
      },
    ];
    if (options.keeper === true) {
      processes.push({
        name: 'keeper',
        run: [process.execPath, '-e', ECHO, String(keeperPort), '{{ file server-cert }}'],
        ready: { tcp: `127.0.0.1:${keeperPort}` },
      });
    }
    const proxies: Record<string, unknown>[] = [
      {
        name: 'psk-in',
        mode: 'psk-server',
        listen: `127.0.0.1:${pskPort}`,
        target: `127.0.0.1:${echoPort}`,
        psk: 'session-psk',
        identity: 'client',
        start: 'after-processes',
      },
    ];
    if (options.mtls !== false) {
      proxies.push({
        name: 'mtls-in',
        mode: 'mtls-server',
        listen: `127.0.0.1:${mtlsPort}`,
        target: `127.0.0.1:${echoPort}`,
        tls: 'server-bob',
        authorize: { commonNames: ['client.bob'] },
        start: 'after-processes',
      });
    }
    const config = worldConfig(world, dir, processes, {
      collaborators: {
        ...base.collaborators,
        bob: { ...(base.collaborators?.bob as object), ...options.bob },
      },
      secrets: {
        ...base.secrets,
        'bob-ca': { from: 'bob', ref: 'projects/bob-proj/secrets/bob-ca/versions/1' },
      },
      keys: {
        'session-psk': {
          ...((base.keys as Record<string, object>)['session-psk'] ?? {}),
          ...options.keys,
        },
      },
      tls: {
        ...base.tls,
        'server-bob': { cert: 'server-cert', key: 'server-key', ca: 'bob-ca', usage: 'server' },
      },
      proxies,
      refresh: {
        interval: '1s',
        jitter: 0,
        retry: { backoff: '100ms', maxBackoff: '300ms' },
        revocation: { confirmations: 3 },
      },
      status: { listen: `127.0.0.1:${statusPort}` },
    });
    // The default start-up grace for IAM propagation: refresh cycles must not apply it.
    (config.fetch as Record<string, unknown>).permissionGrace = '10m';
    if (!secrets.onTmpfs) (config.files as Record<string, unknown>).unsafeAllowNonTmpfs = true;
    const runDir = join(work, name);
    mkdirSync(runDir, { recursive: true });
    const t = runTeeinit(['run', '-c', writeConfig(runDir, config)]);
    await t.waitFor(/"message":"running"/);
    return { t, dir, statusPort, mtlsPort, pskPort };
  }

  const status = async (port: number): Promise<ConsentBody> => {
    const res = await httpAnswer(port, '/status', { timeoutMs: 5000 });
    assert.equal(res.status, 200);
    return JSON.parse(res.body) as ConsentBody;
  };
  const consentOf = (body: ConsentBody, who: string): ConsentBody['collaborators'][number] => {
    const c = body.collaborators.find((x) => x.collaborator === who);
    assert.ok(c, `${who} in /status`);
    return c;
  };
  const lines = (t: TeeinitProcess, message: string): Record<string, unknown>[] =>
    logLines(t.output()).filter((l) => l.message === message);
  const finish = async (t: TeeinitProcess): Promise<void> => {
    t.kill('SIGTERM');
    await t.exited();
    outputs.push(t.output());
  };

  test('revocation-503-storm: outages on alice for more cycles than confirmations change nothing', async () => {
    const s = await start('storm', { bob: { onRevoke: 'stop' } });
    try {
      for (const r of parseFaultRules({
        id: 'alice-storm',
        route: 'secretmanager.access',
        match: 'projects/alice-proj/',
        error: { status: 503 },
      }))
        world.emulator.faults.add(r);
      // More failed cycles than confirmations (3), each one a storm of 503s on alice.
      await pollUntil(
        'five failed cycles',
        () => lines(s.t, 'secret refresh failed; keeping the previous secrets').length >= 5,
        60_000,
      );
      const body = await status(s.statusPort);
      assert.equal(consentOf(body, 'alice').state, 'consenting');
      assert.equal(consentOf(body, 'alice').refusals, 0);
      assert.equal(consentOf(body, 'bob').state, 'consenting');
      assert.deepEqual(lines(s.t, 'collaborator revoked its consent'), []);
      assert.deepEqual(lines(s.t, 'collaborator refused; a revocation if it persists'), []);
      // Traffic flows through both proxies.
      assert.equal(await pskEcho(s.pskPort, 'client', psk(), 'storm'), 'storm');
      const session = await openSession(world, s.mtlsPort);
      assert.equal(await session.echo('storm mtls'), 'storm mtls');
      session.socket.destroy();
      assert.equal(s.t.child.exitCode, null, 'teeinit still running');
    } finally {
      world.emulator.faults.remove('alice-storm');
      await finish(s.t);
    }
  });

  test('revocation-stop: bob removes his binding → his proxies close (open connection too), his process stops, his files go; the rest runs', async () => {
    const s = await start('stop', { bob: { onRevoke: 'stop' }, keeper: true });
    try {
      const session = await openSession(world, s.mtlsPort);
      assert.equal(await session.echo('before'), 'before');
      const closed = new Promise<void>((resolve) => session.socket.once('close', () => resolve()));
      assert.ok(existsSync(join(s.dir, 'session-psk')), 'the key file is written');
      revokeBob();
      await s.t.waitFor(/"message":"collaborator revoked its consent"/, 30_000);
      // The open connection is destroyed at once (a drain would hold it for stopTimeout, 10 s).
      await withDeadline(closed, 5_000, 'the open connection closed');
      await s.t.waitFor(/"message":"secret files removed: their material was withdrawn"/, 20_000);
      const [revoked] = lines(s.t, 'collaborator revoked its consent');
      assert.equal(revoked?.collaborator, 'bob');
      assert.equal(revoked?.severity, 'ERROR');
      assert.equal(revoked?.cause, 'binding-removed');
      assert.equal(revoked?.code, 'TEEINIT_PERMISSION_DENIED');
      // Two refused cycles were counted before the third revoked.
      assert.equal(lines(s.t, 'collaborator refused; a revocation if it persists').length, 2);
      const closedProxies = lines(s.t, 'proxy closed: the material it serves was withdrawn')
        .map((l) => l.proxy)
        .sort();
      assert.deepEqual(closedProxies, ['mtls-in', 'psk-in']);
      assert.deepEqual(
        lines(s.t, 'process stopped for good: the material it uses was withdrawn').map(
          (l) => l.process,
        ),
        ['echo'],
      );
      // New connections are refused; bob's key file is gone, alice's certificate stays.
      assert.equal(await canConnect(s.pskPort), false);
      assert.equal(await canConnect(s.mtlsPort), false);
      assert.equal(existsSync(join(s.dir, 'session-psk')), false);
      assert.equal(existsSync(join(s.dir, 'server-cert')), true);
      const body = await pollUntil('echo stopped in /status', async () => {
        const b = await status(s.statusPort);
        return b.processes.find((p) => p.name === 'echo')?.pid === undefined && b;
      });
      assert.ok(body.processes.find((p) => p.name === 'keeper')?.pid, 'keeper still runs');
      assert.equal(body.processes.find((p) => p.name === 'echo')?.retired, true);
      // The retired process is not coming back: /readyz does not wait for it.
      assert.equal((await httpAnswer(s.statusPort, '/readyz')).status, 200);
      const bob = consentOf(body, 'bob');
      assert.equal(bob.state, 'revoked');
      assert.equal(bob.count, 3);
      assert.equal(bob.confirmations, 3);
      assert.equal(bob.lastRefusal?.kind, 'denied');
      assert.equal(bob.lastRefusal?.cause, 'binding-removed');
      assert.match(bob.lastRefusal?.causeText ?? '', /binding removed/);
      assert.equal(consentOf(body, 'alice').state, 'consenting');
      const metrics = (await httpAnswer(s.statusPort, '/metrics')).body;
      assert.match(
        metrics,
        /^teeinit_collaborator_consent\{collaborator="bob",state="revoked"\} 1$/m,
      );
      assert.match(
        metrics,
        /^teeinit_collaborator_consent\{collaborator="alice",state="consenting"\} 1$/m,
      );
      const refusals = /^teeinit_collaborator_refusals_total\{collaborator="bob"\} (\d+)$/m.exec(
        metrics,
      );
      assert.ok(Number(refusals?.[1]) >= 3, metrics);
      assert.equal(s.t.child.exitCode, null, 'teeinit still serves the keeper');
    } finally {
      regrantBob();
      await finish(s.t);
    }
  });

  test('revocation-exit: once nothing is left, teeinit exits 76 (TEEINIT_CONSENT_REVOKED), no secret file left', async () => {
    // bob keeps (the default) his own secrets; the key stops by default.
    const s = await start('exit', { mtls: false });
    try {
      assert.equal(await pskEcho(s.pskPort, 'client', psk(), 'before'), 'before');
      revokeBob();
      const code = await s.t.exited(60_000);
      outputs.push(s.t.output());
      assert.equal(code, 76, s.t.output());
      const line = s.t
        .stderr()
        .split('\n')
        .find((l) => l.startsWith('teeinit: '));
      assert.match(line ?? '', /TEEINIT_CONSENT_REVOKED/);
      assert.match(line ?? '', /collaborator "bob"/);
      assert.ok(!existsSync(s.dir) || readdirSync(s.dir).length === 0, 'no secret file left');
      assert.deepEqual(
        lines(s.t, 'proxy closed: the material it serves was withdrawn').map((l) => l.proxy),
        ['psk-in'],
      );
    } finally {
      regrantBob();
    }
  });

  test('revocation-keep: the same withdrawal with keep serves on, with a WARNING each cycle', async () => {
    const s = await start('keep', { bob: { onRevoke: 'keep' }, keys: { onRevoke: 'keep' } });
    try {
      revokeBob();
      const message =
        'collaborator revoked its consent; its material is still served (onRevoke: keep)';
      await pollUntil('two keep warnings', () => lines(s.t, message).length >= 2, 30_000);
      const [warning] = lines(s.t, message);
      assert.equal(warning?.severity, 'WARNING');
      assert.equal(warning?.collaborator, 'bob');
      assert.equal(warning?.state, 'revoked');
      assert.equal(warning?.cause, 'binding-removed');
      assert.equal(warning?.keys, 'session-psk');
      assert.equal(await pskEcho(s.pskPort, 'client', psk(), 'kept'), 'kept');
      const session = await openSession(world, s.mtlsPort);
      assert.equal(await session.echo('kept mtls'), 'kept mtls');
      session.socket.destroy();
      assert.ok(existsSync(join(s.dir, 'session-psk')));
      assert.equal(consentOf(await status(s.statusPort), 'bob').state, 'revoked');
      assert.deepEqual(lines(s.t, 'proxy closed: the material it serves was withdrawn'), []);
    } finally {
      regrantBob();
      await finish(s.t);
    }
  });
});
