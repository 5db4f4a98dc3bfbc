// A 2-of-3 threshold PSK key behind a real psk-server proxy, with `refresh`: carol removes
// her binding → after the confirmations she is revoked, but two of three still consent, so
// the key (onRevoke stop by default) is still served and a client with the key is admitted
// (a WARNING names carol each cycle); bob removes his too → fewer than 2 consent: the proxy
// closes, the process stops, and teeinit exits 76 with no secret file left.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { secretKey } from '../../emulator/store.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { canConnect, freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { logLines, runTeeinit } from '../helpers/teeinit-process.js';
import { useRunWorld } from '../run/run-world.js';
import {
  addCarol,
  COLLABORATORS,
  pskEcho,
  seedThresholdShares,
  thresholdConfig,
} from '../run/threshold-world.js';
import { worldConfig, writeConfig } from '../run/world-config.js';

const ECHO = `require('node:net').createServer((s) => s.pipe(s)).listen(Number(process.argv[1]), '127.0.0.1');`;

describe('refresh: revocation of a 2-of-3 threshold key', { timeout: 180_000 }, () => {
  const ctx = useRunWorld('teeinit-revoke-quorum');

  test('revocation-threshold: carol revokes → still serving; bob too → the PSK proxy closes, exit 76', async () => {
    const { world } = ctx;
    world.emulator.iam.setPropagationSeconds(0);
    addCarol(world);
    const shares = await seedThresholdShares(world, join(ctx.work, 'ceremony'));
    const dir = join(ctx.secrets.path, 'quorum');
    const [backend, proxyPort] = [await freePort(), await freePort()];
    const t3 = thresholdConfig(world);
    const config = worldConfig(
      world,
      dir,
      [
        {
          name: 'echo',
          run: [process.execPath, '-e', ECHO, String(backend)],
          ready: { tcp: `127.0.0.1:${backend}` },
        },
      ],
      {
        collaborators: t3.collaborators,
        secrets: t3.secrets,
        keys: { 'quorum-psk': t3.key },
        tls: {},
        proxies: [
          {
            name: 'quorum-in',
            mode: 'psk-server',
            listen: `127.0.0.1:${proxyPort}`,
            target: `127.0.0.1:${backend}`,
            psk: 'quorum-psk',
            identity: 'client',
            start: 'after-processes',
          },
        ],
        refresh: {
          interval: '1s',
          jitter: 0,
          retry: { backoff: '100ms', maxBackoff: '300ms' },
          revocation: { confirmations: 2 },
        },
      },
    ) as Record<string, Record<string, unknown>>;
    // Only the shares: the demo world's other secrets are not used here.
    const secrets = config.secrets as Record<string, unknown>;
    for (const name of Object.keys(secrets)) if (!name.endsWith('-q')) delete secrets[name];
    config.files!.entries = {};
    if (!ctx.secrets.onTmpfs) config.files!.unsafeAllowNonTmpfs = true;
    const work = join(ctx.work, 'quorum');
    mkdirSync(work, { recursive: true });
    const t = runTeeinit(['run', '-c', writeConfig(work, config)]);
    await t.waitFor(/"message":"running"/);
    assert.equal(await pskEcho(proxyPort, 'client', shares.psk, 'all three'), 'all three');

    const unbind = (who: 'bob' | 'carol'): void => {
      const { store } = world.emulator;
      const secret = store.secrets.get(secretKey(COLLABORATORS[who].number, `${who}-q`));
      assert.ok(secret, `${who}-q`);
      store.setSecretBindings(secret, [], Date.now());
    };
    unbind('carol');
    const kept = 'collaborator revoked its consent; its material is still served (onRevoke: keep)';
    await pollUntil(
      'carol revoked, her share kept',
      () => logLines(t.output()).filter((l) => l.message === kept).length >= 2,
      30_000,
    );
    const revoked = logLines(t.output()).filter(
      (l) => l.message === 'collaborator revoked its consent',
    );
    assert.deepEqual(
      revoked.map((l) => l.collaborator),
      ['carol'],
    );
    assert.equal(
      logLines(t.output()).find((l) => l.message === kept)?.collaborator,
      'carol',
      'the WARNING names carol',
    );
    // Two of three still consent: the key is served.
    assert.equal(await pskEcho(proxyPort, 'client', shares.psk, 'two of three'), 'two of three');
    assert.equal(t.child.exitCode, null);

    unbind('bob');
    const code = await t.exited(60_000);
    assert.equal(code, 76, t.output());
    const lines = logLines(t.output());
    assert.deepEqual(
      lines
        .filter((l) => l.message === 'collaborator revoked its consent')
        .map((l) => l.collaborator),
      ['carol', 'bob'],
    );
    assert.deepEqual(
      lines
        .filter((l) => l.message === 'proxy closed: the material it serves was withdrawn')
        .map((l) => l.proxy),
      ['quorum-in'],
    );
    assert.deepEqual(
      lines
        .filter((l) => l.message === 'process stopped for good: the material it uses was withdrawn')
        .map((l) => l.process),
      ['echo'],
    );
    assert.equal(await canConnect(proxyPort), false);
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'no secret file left');
    assertNoSecrets(t.output(), [...ctx.secretValues, ...shares.values], 'teeinit output');
  });
});
