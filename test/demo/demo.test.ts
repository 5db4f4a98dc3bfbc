// `npm run demo` as the README promises it: exits 0, tells every step (the status
// endpoint's /readyz, /metrics and /healthz too), prints no key or share and leaves no
// temporary directory behind; with redis-server on PATH (the redis
// example) and without it (the built-in backend).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../helpers/command.js';

const DEMO = fileURLToPath(new URL('../../scripts/demo.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** The demo's scratch directories currently present. */
function demoDirs(): string[] {
  const list = (dir: string): string[] =>
    readdirSync(dir)
      .filter((n) => n.startsWith('teeinit-demo-'))
      .map((n) => join(dir, n));
  return [...list(tmpdir()), ...list('/dev/shm')];
}

async function runDemo(env: NodeJS.ProcessEnv = {}) {
  const before = new Set(demoDirs());
  const r = await runCommand([process.execPath, DEMO], { env, cwd: REPO, timeoutMs: 90_000 });
  const left = demoDirs().filter((d) => !before.has(d));
  return { ...r, left };
}

function assertTold(stdout: string, stderr: string): void {
  for (const line of [
    /1\. Start the local Confidential Space emulator/,
    /fetched 5 secrets from Secret Manager/,
    /client certificate CN=client\.bob: PING → \+PONG/,
    /a client without a certificate: refused/,
    /PING → \+PONG/,
    /guessed one instead of bob's: refused/,
    // The status endpoint: /readyz while starting, /metrics after the clients, /healthz at SIGTERM.
    // (503 `starting` itself is asserted with a gate in test/run/run-status; here a stalled
    // poller may first reach it after `running`.)
    /\/readyz answered (503 starting from .*, )?200 ok at /,
    /^ +teeinit_process_up\{process="(redis|backend)"\} 1$/m,
    /^ +teeinit_certificate_not_after_seconds\{bundle="server"\} \d+$/m,
    /^ +teeinit_proxy_connections_accepted_total\{proxy="psk-ingress",mode="psk-server"\} 2$/m,
    /^ +teeinit_proxy_connections_rejected_total\{proxy="psk-ingress",mode="psk-server",reason="psk-bad-key"\} 1$/m,
    /refused for psk-bad-key: the client with the guessed share/,
    /\/healthz answered (503 stopping .* after SIGTERM; then it|ok until it) closed/,
    /teeinit exited with 0; secret files left in .*: 0/,
    /and the status endpoint's \d+ answers contain no secret value/,
    /Done in/,
  ]) {
    assert.match(stdout, line, stdout + stderr);
  }
  // Keys and shares: PEM private keys, 64-hex-character shares.
  assert.doesNotMatch(stdout + stderr, /PRIVATE KEY|\b[0-9a-f]{64}\b/);
}

describe('npm run demo', { timeout: 200_000 }, () => {
  const emptyPath = mkdtempSync(join(tmpdir(), 'demo-test-path-'));
  after(() => rmSync(emptyPath, { recursive: true, force: true }));

  test(
    'demo-redis: runs examples/redis when redis-server is installed',
    { timeout: 100_000 },
    async (t) => {
      const probe = await runCommand(['sh', '-c', 'command -v redis-server']);
      if (probe.code !== 0) return t.skip('redis-server is not installed');
      const r = await runDemo();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Run teeinit with examples\/redis\/teeinit\.yaml/);
      assert.match(r.stdout, /redis logged: .*certificate/);
      assertTold(r.stdout, r.stderr);
      assert.deepEqual(r.left, []);
    },
  );

  test(
    'demo-builtin: a built-in backend when redis-server is not on PATH',
    { timeout: 100_000 },
    async () => {
      const r = await runDemo({ PATH: emptyPath });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /redis-server is not on PATH/);
      assert.match(r.stdout, /mtls-ingress \(mtls-server\) listening/);
      assertTold(r.stdout, r.stderr);
      assert.deepEqual(r.left, []);
    },
  );
});
