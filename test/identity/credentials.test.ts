// Identity stage against the emulator: token sources (file, teeserver), the STS exchange
// and impersonation per collaborator, and the errors a user sees when they fail.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TeeinitError, type ErrorCode } from '../../src/errors/index.js';
import { createIdentities, readTeeserverToken, readTokenFile } from '../../src/identity/index.js';
import { holdRoute } from '../helpers/hold-route.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { ALICE, BOB, logCapture, provider, startWorld, type World } from '../fetch/world.js';

const rejectsWith =
  (code: ErrorCode, ...parts: (string | RegExp)[]) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof TeeinitError, `expected a TeeinitError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `"${p}" not in: ${e.message}`);
      else assert.match(e.message, p);
    }
    return true;
  };

describe('identity: token sources', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test(
    'token file missing → TEEINIT_TOKEN_UNAVAILABLE naming the path',
    { timeout: 5000 },
    async () => {
      const path = join(world.dir, 'no-such-token');
      await assert.rejects(
        readTokenFile(path),
        rejectsWith('TEEINIT_TOKEN_UNAVAILABLE', path, 'ENOENT'),
      );
    },
  );

  test('token file empty (whitespace) → TEEINIT_TOKEN_UNAVAILABLE', { timeout: 5000 }, async () => {
    const path = join(world.dir, 'empty-token');
    await writeFile(path, ' \n');
    await assert.rejects(
      readTokenFile(path),
      rejectsWith('TEEINIT_TOKEN_UNAVAILABLE', path, 'empty'),
    );
  });

  test('token file expired → TEEINIT_TOKEN_EXPIRED', { timeout: 5000 }, async () => {
    const path = join(world.dir, 'expired-token');
    const now = Math.floor(Date.now() / 1000);
    await writeFile(
      path,
      await world.em.attestation.mintToken({ iat: now - 7200, exp: now - 3600 }),
    );
    await assert.rejects(readTokenFile(path), rejectsWith('TEEINIT_TOKEN_EXPIRED', path));
  });

  test('token file is re-read on every call and trimmed', { timeout: 5000 }, async () => {
    const path = join(world.dir, 'rotating-token');
    const first = await world.em.attestation.mintToken();
    const second = await world.em.attestation.mintToken({ claims: { rotated: true } });
    await writeFile(path, `${first}\n`);
    assert.equal(await readTokenFile(path), first);
    await writeFile(path, second);
    assert.equal(await readTokenFile(path), second);
  });

  test('teeserver socket answers a fresh token', { timeout: 5000 }, async () => {
    const token = await readTeeserverToken(world.em.socketPath, { timeoutMs: 2000 });
    assert.equal(token.split('.').length, 3);
  });

  test('teeserver socket missing → TEEINIT_TOKEN_UNAVAILABLE', { timeout: 5000 }, async () => {
    const socket = join(world.dir, 'missing.sock');
    await assert.rejects(
      readTeeserverToken(socket, { timeoutMs: 1000 }),
      rejectsWith('TEEINIT_TOKEN_UNAVAILABLE', socket),
    );
  });

  test(
    'teeserver slower than the call timeout → TEEINIT_TOKEN_UNAVAILABLE',
    { timeout: 5000 },
    async (t) => {
      world.fault({ route: 'teeserver.token', latencyMs: 5000 });
      t.after(() => world.em.faults.clear());
      const started = Date.now();
      await assert.rejects(
        readTeeserverToken(world.em.socketPath, { timeoutMs: 200 }),
        rejectsWith('TEEINIT_TOKEN_UNAVAILABLE', 'no answer within 200 ms'),
      );
      // Ends at the 200 ms timeout, not with the 5 s answer; the margin is for a loaded machine.
      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    },
  );

  test(
    'identities with attestation.source teeserver exchange the socket token',
    { timeout: 10_000 },
    async () => {
      const config = world.config({
        attestation: { source: 'teeserver', tokenFile: join(world.dir, 'absent') },
      });
      const ids = createIdentities(config, logCapture().logger);
      assert.ok((await ids.accessToken('alice')).length > 0);
    },
  );

  test(
    'identities surface a missing token file as TEEINIT_TOKEN_UNAVAILABLE',
    { timeout: 10_000 },
    async () => {
      const path = join(world.dir, 'absent-token');
      const ids = createIdentities(
        world.config({ attestation: { tokenFile: path } }),
        logCapture().logger,
      );
      await assert.rejects(
        ids.accessToken('alice'),
        rejectsWith('TEEINIT_TOKEN_UNAVAILABLE', path),
      );
    },
  );
});

describe('identity: credentials per collaborator', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test(
    'STS exchange without impersonation; one token per collaborator, cached',
    { timeout: 10_000 },
    async () => {
      const ids = createIdentities(world.config({}), logCapture().logger);
      const a = await ids.accessToken('alice');
      const b = await ids.accessToken('bob');
      assert.notEqual(a, b);
      assert.equal(await ids.accessToken('alice'), a, 'cached until near expiry');
      assert.notEqual(await ids.refresh('alice'), a, 'refresh exchanges again');
    },
  );

  test(
    "STS exchange then impersonation of the collaborator's reader SA",
    { timeout: 10_000 },
    async () => {
      const config = world.config({
        collaborators: {
          alice: {
            provider: provider(ALICE),
            serviceAccount: `reader@${ALICE.project}.iam.gserviceaccount.com`,
          },
        },
      });
      const ids = createIdentities(config, logCapture().logger);
      assert.ok((await ids.accessToken('alice')).length > 0);
    },
  );

  test(
    'debug image → TEEINIT_IDENTITY_REJECTED naming collaborator and provider',
    { timeout: 10_000 },
    async (t) => {
      await world.em.attestation.usePreset('debug');
      t.after(() => world.em.attestation.usePreset('production'));
      const ids = createIdentities(world.config({}), logCapture().logger);
      await assert.rejects(
        ids.accessToken('bob'),
        rejectsWith(
          'TEEINIT_IDENTITY_REJECTED',
          '"bob"',
          provider(BOB),
          'unauthorized_client',
          'attribute condition',
        ),
      );
    },
  );

  test(
    'unknown provider → TEEINIT_IDENTITY_REJECTED (invalid_target)',
    { timeout: 10_000 },
    async () => {
      const bad = provider(ALICE).replace('/providers/attestation-verifier', '/providers/nope');
      const config = world.config({ collaborators: { alice: { provider: bad } } });
      const ids = createIdentities(config, logCapture().logger);
      await assert.rejects(
        ids.accessToken('alice'),
        rejectsWith('TEEINIT_IDENTITY_REJECTED', '"alice"', bad, 'invalid_target'),
      );
    },
  );

  test(
    'token for another audience → TEEINIT_IDENTITY_REJECTED (invalid_grant)',
    { timeout: 10_000 },
    async () => {
      const path = join(world.dir, 'wrong-aud-token');
      await writeFile(
        path,
        await world.em.attestation.mintToken({ audience: 'https://example.com' }),
      );
      const ids = createIdentities(
        world.config({ attestation: { tokenFile: path } }),
        logCapture().logger,
      );
      await assert.rejects(
        ids.accessToken('alice'),
        rejectsWith('TEEINIT_IDENTITY_REJECTED', '"alice"', 'invalid_grant', 'audience'),
      );
    },
  );

  test(
    'impersonating a service account the workload may not use → TEEINIT_IMPERSONATION_DENIED',
    { timeout: 10_000 },
    async () => {
      const sa = `reader@${BOB.project}.iam.gserviceaccount.com`;
      const config = world.config({
        collaborators: { alice: { provider: provider(ALICE), serviceAccount: sa } },
      });
      const ids = createIdentities(config, logCapture().logger);
      await assert.rejects(
        ids.accessToken('alice'),
        rejectsWith('TEEINIT_IMPERSONATION_DENIED', '"alice"', sa, 'HTTP 403'),
      );
    },
  );

  test(
    'STS slower than callTimeout → TEEINIT_DEADLINE_EXCEEDED (the timeout reaches the STS call)',
    { timeout: 10_000 },
    async (t) => {
      world.fault({ route: 'sts.token', latencyMs: 5000 });
      t.after(() => world.em.faults.clear());
      const config = world.config({ fetch: { callTimeout: 300, attempts: 1 } });
      const ids = createIdentities(config, logCapture().logger);
      const started = Date.now();
      await assert.rejects(
        ids.accessToken('alice'),
        rejectsWith('TEEINIT_DEADLINE_EXCEEDED', '"alice"', '300 ms'),
      );
      // Ends at the 300 ms call timeout, not with the 5 s answer. The window also holds the
      // token read and the request set-up, so 1200 ms against a 1.5 s answer was too tight.
      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    },
  );

  test(
    'IAM slower than callTimeout → TEEINIT_DEADLINE_EXCEEDED',
    { timeout: 10_000 },
    async (t) => {
      world.fault({ route: 'iam.generateAccessToken', latencyMs: 1500 });
      t.after(() => world.em.faults.clear());
      const config = world.config({
        fetch: { callTimeout: 300, attempts: 1 },
        collaborators: {
          alice: {
            provider: provider(ALICE),
            serviceAccount: `reader@${ALICE.project}.iam.gserviceaccount.com`,
          },
        },
      });
      const ids = createIdentities(config, logCapture().logger);
      await assert.rejects(
        ids.accessToken('alice'),
        rejectsWith('TEEINIT_DEADLINE_EXCEEDED', 'generateAccessToken'),
      );
    },
  );

  test(
    'STS 503 twice then success: retried, and the retries are logged',
    { timeout: 10_000 },
    async (t) => {
      world.fault({ route: 'sts.token', error: { status: 503 }, times: 2 });
      t.after(() => world.em.faults.clear());
      const capture = logCapture();
      const ids = createIdentities(world.config({}), capture.logger);
      const token = await ids.accessToken('alice');
      assert.ok(token.length > 0);
      const retries = capture
        .records()
        .filter((r) => r.message === 'credential attempt failed, retrying');
      assert.equal(retries.length, 2);
      assertNoSecrets(capture.text(), [token], 'the log');
    },
  );

  test('a caller abort cancels the exchange promptly', { timeout: 10_000 }, async (t) => {
    const reached = holdRoute(world.em, { route: 'sts.token', latencyMs: 5000 });
    t.after(() => world.em.faults.clear());
    const ids = createIdentities(world.config({}), logCapture().logger);
    const ctl = new AbortController();
    const token = ids.accessToken('alice', ctl.signal);
    await reached(); // abort while the exchange is in flight, not before it starts
    // Measured from the abort (reaching the held exchange is not under test); it holds 5 s.
    const aborted = Date.now();
    ctl.abort(new Error('cancelled by test'));
    await assert.rejects(token, /cancelled by test/);
    assert.ok(Date.now() - aborted < 2500, `took ${Date.now() - aborted} ms after the abort`);
  });
});
