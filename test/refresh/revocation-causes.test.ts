// The likely cause of a revocation, read from the refusal and the refused token's claims,
// as /status and the log show it: a disabled secret version (FAILED_PRECONDITION), a
// disabled provider (STS invalid_target), and an image whose token lacks STABLE in its
// support_attributes under a provider condition requiring it (STS unauthorized_client: roll
// the VM). Access tokens live 10 s here, so a cycle exchanges again every few seconds (as a
// long-running VM does once its token ends). Never a token in any output.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDemoWorld, type DemoWorld } from '../../emulator/demo-world.js';
import { secretKey } from '../../emulator/store.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { httpAnswer } from '../helpers/http-get.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { logLines, runTeeinit, stopAllTeeinit } from '../helpers/teeinit-process.js';
import { removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';
import { demoSecretValues } from '../run/run-world.js';
import { worldConfig, writeConfig } from '../run/world-config.js';

const BOB = '222222222222';
const ECHO = `require('node:net').createServer((s) => s.pipe(s)).listen(Number(process.argv[1]), '127.0.0.1');`;

interface Consent {
  collaborator: string;
  state: string;
  lastRefusal?: { kind: string; code: string; cause: string; causeText: string };
}

describe('refresh: the likely cause of a revocation', { timeout: 240_000 }, () => {
  let world: DemoWorld;
  let work: string;
  const secrets = tmpfsDir('teeinit-causes-secrets-');
  const outputs: string[] = [];

  before(async () => {
    work = tempDir('teeinit-causes-').dir;
    world = await startDemoWorld({
      stateDir: join(work, 'emulator'),
      iamPropagationSeconds: 0,
      accessTokenLifetimeSeconds: 10,
    });
  });
  after(async () => {
    await stopAllTeeinit();
    for (const out of outputs) {
      assertNoSecrets(out, demoSecretValues(world), 'teeinit output');
      // No attestation token (a compact JWT) and no access token in any output.
      assert.doesNotMatch(out, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
      assert.doesNotMatch(out, /ya29\./);
    }
    await world.stop();
    removeDir(work);
    removeDir(secrets.path);
  });

  /**
   * Runs teeinit (bob's share fetched but used by nothing; keep), applies `withdraw`, waits
   * until `who` is revoked in /status and returns its entry; `restore` undoes the change.
   */
  async function causeOf(
    name: string,
    who: string,
    withdraw: () => unknown,
    restore: () => unknown,
  ): Promise<Consent> {
    const dir = join(secrets.path, name);
    const [backend, statusPort] = [await freePort(), await freePort()];
    const config = worldConfig(
      world,
      dir,
      [
        {
          name: 'app',
          run: [process.execPath, '-e', ECHO, String(backend), '{{ file server-cert }}'],
          ready: { tcp: `127.0.0.1:${backend}` },
        },
      ],
      {
        keys: {},
        refresh: {
          interval: '1s',
          jitter: 0,
          retry: { backoff: '100ms', maxBackoff: '300ms' },
          revocation: { confirmations: 2 },
        },
        status: { listen: `127.0.0.1:${statusPort}` },
      },
    );
    if (!secrets.onTmpfs) (config.files as Record<string, unknown>).unsafeAllowNonTmpfs = true;
    const runDir = join(work, name);
    mkdirSync(runDir, { recursive: true });
    const t = runTeeinit(['run', '-c', writeConfig(runDir, config)]);
    try {
      await t.waitFor(/"message":"running"/);
      await withdraw();
      const consent = await pollUntil(
        `${who} revoked`,
        async () => {
          const res = await httpAnswer(statusPort, '/status', { timeoutMs: 5000 });
          const body = JSON.parse(res.body) as { collaborators: Consent[] };
          const c = body.collaborators.find((x) => x.collaborator === who);
          return c?.state === 'revoked' && c;
        },
        40_000,
      );
      // /status answers on a socket, the log line comes through teeinit's stderr pipe:
      // either may be read first here.
      const line = await pollUntil('the revocation line', () =>
        logLines(t.output()).find(
          (l) => l.message === 'collaborator revoked its consent' && l.collaborator === who,
        ),
      );
      assert.equal(line?.cause, consent.lastRefusal?.cause, 'the log names the same cause');
      assert.equal(line?.likelyCause, consent.lastRefusal?.causeText);
      assert.equal(t.child.exitCode, null, 'keep: still running');
      return consent;
    } finally {
      await restore();
      t.kill('SIGTERM');
      await t.exited();
      outputs.push(t.output());
    }
  }

  test('revocation-cause-version-disabled: FAILED_PRECONDITION names a disabled version', async () => {
    const secret = world.emulator.store.secrets.get(secretKey(BOB, 'bob-share'));
    assert.ok(secret);
    const version = secret.versions[0]!;
    const c = await causeOf(
      'disabled',
      'bob',
      () => (version.state = 'DISABLED'),
      () => (version.state = 'ENABLED'),
    );
    assert.equal(c.lastRefusal?.code, 'TEEINIT_SECRET_DISABLED');
    assert.equal(c.lastRefusal?.kind, 'refusal');
    assert.equal(c.lastRefusal?.cause, 'version-disabled');
    assert.match(c.lastRefusal?.causeText ?? '', /disabled or destroyed/);
  });

  test('revocation-cause-provider-disabled: STS invalid_target names a disabled provider', async () => {
    const { providers } = world.emulator.store;
    const i = providers.findIndex((p) => p.projectNumber === BOB);
    const original = providers[i]!;
    const c = await causeOf(
      'provider',
      'bob',
      () => (providers[i] = { ...original, disabled: true }),
      () => (providers[i] = original),
    );
    assert.equal(c.lastRefusal?.code, 'TEEINIT_IDENTITY_REJECTED');
    assert.equal(c.lastRefusal?.cause, 'provider-disabled');
    assert.match(c.lastRefusal?.causeText ?? '', /invalid_target/);
  });

  test('revocation-cause-not-stable: a token without STABLE under a condition requiring it names the ageing image', async () => {
    const attestation = world.emulator.attestation;
    const c = await causeOf(
      'not-stable',
      'bob',
      () => attestation.setClaims({ supportAttributes: ['LATEST', 'USABLE'] }),
      () => attestation.setClaims({ supportAttributes: ['LATEST', 'STABLE', 'USABLE'] }),
    );
    assert.equal(c.lastRefusal?.code, 'TEEINIT_IDENTITY_REJECTED');
    assert.equal(c.lastRefusal?.cause, 'image-not-stable');
    assert.match(c.lastRefusal?.causeText ?? '', /no longer STABLE-supported: roll the VM/);
    assert.match(c.lastRefusal?.causeText ?? '', /support_attributes \[LATEST, USABLE\]/);
    assert.match(c.lastRefusal?.causeText ?? '', /image_digest sha256:[0-9a-f]{64}/);
  });
});
