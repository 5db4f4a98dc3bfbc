// Cancellation (SIGTERM during start-up) at every point of the identity and fetch stages:
// the start-up rejects with TEEINIT_STARTUP_CANCELLED at once, and nothing still in flight
// (gaxios/node-fetch, undici, our timers) raises an error afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTransporter, withCallSignal } from '../../src/identity/transporter.js';
import { holdRoute } from '../helpers/hold-route.js';
import { pollUntil } from '../helpers/poll.js';
import { FetchHarness, ref } from './harness.js';
import { StrayWatch } from './stray-watch.js';
import { ALICE, reader, secretValue, startWorld, workload, type World } from './world.js';

const V = { ca: secretValue('ca') };
const h = new FetchHarness(Object.values(V));
const SA = `reader@${ALICE.project}.iam.gserviceaccount.com`;

describe('cancellation leaves nothing behind', { timeout: 200_000 }, () => {
  let world: World;
  before(async () => {
    world = await startWorld();
    world.seed([
      {
        project: ALICE.project,
        id: 'ca',
        versions: [{ data: V.ca }],
        members: [workload(ALICE), reader(ALICE)],
      },
    ]);
  });
  after(async () => {
    await world.stop();
    h.assertNoLeaks();
  });

  const config = (tree: Record<string, unknown> = {}) =>
    world.config({ secrets: { ca: { from: 'alice', ref: ref(ALICE.project, 'ca') } }, ...tree });
  const impersonating = () =>
    config({
      collaborators: {
        alice: { provider: world.config({}).collaborators.alice?.provider, serviceAccount: SA },
      },
    });

  /** Starts fetchAll, aborts once `ready` resolves, asserts a prompt clean cancellation. */
  async function cancelWhen(
    t: { after: (fn: () => void) => void },
    cfg: ReturnType<typeof config>,
    ready: ((abort: () => void) => Promise<void>) | 'before-start',
    log = h.capture(),
  ): Promise<void> {
    const watch = new StrayWatch();
    watch.install();
    t.after(() => {
      watch.uninstall();
      world.em.faults.clear();
    });
    const ctl = new AbortController();
    if (ready === 'before-start') ctl.abort();
    const outcome = h.run(world, cfg, log, ctl.signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (ready !== 'before-start') await ready(() => ctl.abort());
    if (!ctl.signal.aborted) ctl.abort();
    const aborted = Date.now();
    const error = await outcome;
    assert.ok(error !== undefined, 'start-up must not succeed');
    h.failsWith('TEEINIT_STARTUP_CANCELLED')(error);
    assert.ok(Date.now() - aborted < 1000, `took ${Date.now() - aborted} ms to cancel`);
    await watch.assertQuiet();
  }

  test('during the STS exchange', async (t) => {
    const reached = holdRoute(world.em, { route: 'sts.token' });
    await cancelWhen(t, config(), () => reached());
  });

  test('during the impersonation call', async (t) => {
    const reached = holdRoute(world.em, { route: 'iam.generateAccessToken' });
    await cancelWhen(t, impersonating(), () => reached());
  });

  test('during a slow secret access', async (t) => {
    const reached = holdRoute(world.em, { route: 'secretmanager.access' });
    await cancelWhen(t, config(), () => reached());
  });

  const slowBackoff = { initialBackoff: 10_000, maxBackoff: 10_000, attempts: 5 };

  test('during the backoff sleep after a failed secret access', async (t) => {
    world.fault({ route: 'secretmanager.access', error: { status: 503 } });
    let abort = (): void => undefined;
    const log = h.capture((line) => {
      // The sleep starts right after this line: abort once it has.
      if (line.includes('secret access failed, retrying')) queueMicrotask(() => abort());
    });
    await cancelWhen(
      t,
      config({ fetch: { ...slowBackoff, startupDeadline: 60_000 } }),
      (a) => new Promise((resolve) => (abort = () => (a(), resolve()))),
      log,
    );
  });

  test('during the backoff sleep after a failed token exchange', async (t) => {
    world.fault({ route: 'sts.token', error: { status: 503 } });
    let abort = (): void => undefined;
    const log = h.capture((line) => {
      if (line.includes('credential attempt failed, retrying')) queueMicrotask(() => abort());
    });
    await cancelWhen(
      t,
      config({ fetch: { ...slowBackoff, startupDeadline: 60_000 } }),
      (a) => new Promise((resolve) => (abort = () => (a(), resolve()))),
      log,
    );
  });

  test('while the attestation token is read: no exchange is sent afterwards', async (t) => {
    // A FIFO as the token file: the read waits until the test writes the token, and the
    // abort ends it (a write after it finds no reader, EPIPE).
    const fifo = join(world.dir, `token-${Date.now()}.fifo`);
    execFileSync('mkfifo', [fifo]);
    const token = readFileSync(world.em.tokenFile);
    const sts = holdRoute(world.em, { route: 'sts.token', latencyMs: 1 });
    await cancelWhen(t, config({ attestation: { tokenFile: fifo } }), async (abort) => {
      const fd = await pollUntil(
        'the token file to be opened',
        () => {
          try {
            return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
          } catch {
            return undefined; // ENXIO: no reader yet
          }
        },
        8000,
      );
      abort();
      try {
        writeSync(fd, token);
      } catch (error) {
        assert.equal((error as NodeJS.ErrnoException).code, 'EPIPE');
      } finally {
        closeSync(fd);
      }
    });
    await assert.rejects(sts(50), /no request reached sts\.token/);
  });

  test("a caller's signal aborted before start-up: no request at all", async (t) => {
    const sts = holdRoute(world.em, { route: 'sts.token', latencyMs: 1 });
    await cancelWhen(t, config(), 'before-start');
    await assert.rejects(sts(50), /no request reached sts\.token/);
  });

  test('the library transporter refuses a request on an aborted signal', async (t) => {
    const watch = new StrayWatch();
    watch.install();
    t.after(() => watch.uninstall());
    const transporter = createTransporter(2000);
    const stopped = AbortSignal.abort(new Error('cancelled'));
    await assert.rejects(
      withCallSignal(stopped, () =>
        transporter.request({
          url: `${world.em.endpoints.sts}/v1/token`,
          method: 'POST',
          data: new URLSearchParams({ grant_type: 'x' }),
        }),
      ),
      /aborted/,
    );
    await watch.assertQuiet();
  });
});
