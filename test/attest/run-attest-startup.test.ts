// `teeinit run` with a proxy that presents attestation evidence: when the launcher gives no
// token within attest.present.startupDeadline the start fails closed (exit 69, the proxy
// never listens, no process starts); a SIGTERM during that wait cancels the start; `plan`
// shows the attest part.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../src/errors/index.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { canConnect, freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { FIXTURES, runTeeinit } from '../helpers/teeinit-process.js';
import { useRunWorld } from '../run/run-world.js';
import { worldConfig, writeConfig } from '../run/world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

const AUDIENCE = 'https://ledger.example/attested';

describe('run: a proxy that presents evidence', { timeout: 180_000 }, () => {
  const ctx = useRunWorld('teeinit-attest-run');

  /** A config whose psk-server presents evidence from the emulator's launcher. */
  async function config(name: string): Promise<{ path: string; port: number; marker: string }> {
    const port = await freePort();
    const marker = join(ctx.work, `${name}.started`);
    const tree = worldConfig(ctx.world, join(ctx.secrets.path, name), [
      { name: 'app', run: [process.execPath, FIXTURES + 'inspect-files.js', marker] },
    ]) as Record<string, any>;
    allowNonTmpfs(tree, ctx.secrets);
    // attest.present.socket is not given: it follows attestation.socket.
    tree.attestation = { ...tree.attestation, socket: ctx.world.emulator.socketPath };
    tree.proxies = [
      {
        name: 'ingress',
        mode: 'psk-server',
        listen: `127.0.0.1:${port}`,
        target: '127.0.0.1:9',
        identities: { c: 'session-psk' },
        attest: { present: { audience: AUDIENCE, startupDeadline: '4s' } },
      },
    ];
    return { path: writeConfig(ctx.work, tree), port, marker };
  }

  test(
    'plan shows what the proxy presents and from which socket',
    { timeout: 30_000 },
    async () => {
      const { path } = await config('plan');
      const t = runTeeinit(['plan', '-c', path]);
      assert.equal(await t.exited(), 0, t.output());
      assert.ok(
        t
          .stdout()
          .includes(
            `attest present: PKI token for ${AUDIENCE} from ${ctx.world.emulator.socketPath}`,
          ),
        t.stdout(),
      );
    },
  );

  test(
    'no token within startupDeadline: exit 69, nothing listens, no process starts',
    { timeout: 60_000 },
    async () => {
      const { path, port, marker } = await config('no-token');
      ctx.world.emulator.teeserver.failNext(1_000);
      try {
        const t = runTeeinit(['run', '-c', path]);
        await t.waitFor(/attestation token request failed; retrying/);
        assert.equal(await canConnect(port), false, 'the proxy does not listen while it waits');
        const code = await t.exited(30_000);
        assert.equal(code, ERROR_CODES.TEEINIT_TOKEN_UNAVAILABLE.exitCode, t.output());
        assert.equal(code, 69);
        assert.match(
          t.stderr(),
          /^teeinit: TEEINIT_TOKEN_UNAVAILABLE: Proxy "ingress" has no attestation token to present within proxies\.ingress\.attest\.present\.startupDeadline/m,
        );
        assert.ok(!existsSync(marker), 'no process may start');
        assert.equal(await canConnect(port), false);
        assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
      } finally {
        ctx.world.emulator.teeserver.failNext(0);
      }
    },
  );

  test(
    'a SIGTERM while waiting for the launcher cancels the start (143)',
    { timeout: 60_000 },
    async () => {
      const { path, port, marker } = await config('cancel');
      ctx.world.emulator.teeserver.failNext(1_000);
      try {
        const t = runTeeinit(['run', '-c', path]);
        await t.waitFor(/attestation token request failed; retrying/);
        const began = Date.now();
        t.kill('SIGTERM');
        assert.equal(await t.exited(10_000), 143, t.output());
        // Well before the 4 s deadline would have ended the wait on its own.
        assert.ok(Date.now() - began < 3_000, `exited ${Date.now() - began} ms after SIGTERM`);
        assert.match(t.stderr(), /TEEINIT_STARTUP_CANCELLED/);
        assert.ok(!existsSync(marker));
        assert.equal(await canConnect(port), false);
      } finally {
        ctx.world.emulator.teeserver.failNext(0);
      }
    },
  );

  test('with a token the proxy listens and the process starts', { timeout: 60_000 }, async () => {
    const { path, port, marker } = await config('ok');
    const t = runTeeinit(['run', '-c', path]);
    await t.waitFor(/"message":"running"/);
    await pollUntil('the process to start', () => existsSync(marker));
    assert.equal(await canConnect(port), true);
    assert.match(t.stdout(), /"message":"attestation token obtained".*"tokenType":"PKI"/);
    t.kill('SIGTERM');
    assert.equal(await t.exited(20_000), 0, t.output());
  });
});
