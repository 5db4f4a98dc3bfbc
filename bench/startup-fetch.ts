// Bench: start-up fetch time for 5 secrets from 2 collaborators with 50 ms added latency on
// every emulator route: teeinit's fetchAll (tokens per collaborator concurrently, all
// accesses in parallel) against a sequential loop (one access after another, as the public
// demo does), in the same run. Prints both medians and the ratio.
import { createIdentities } from '../src/identity/index.js';
import { silentLogger } from '../src/log/index.js';
import { fetchAll, fetchGcpSecret } from '../src/secrets/index.js';
import { accessUrl, parseSecretRef } from '../src/secrets/index.js';
import { ALICE, BOB, secretValue, startWorld, workload } from '../test/fetch/world.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const world = await startWorld();
try {
  const secrets: Record<string, { from: string; ref: string }> = {};
  const seed = [
    { c: ALICE, id: 'ca', from: 'alice' },
    { c: ALICE, id: 'server-cert', from: 'alice' },
    { c: ALICE, id: 'server-key', from: 'alice' },
    { c: ALICE, id: 'alice-share', from: 'alice' },
    { c: BOB, id: 'bob-share', from: 'bob' },
  ];
  world.seed(
    seed.map((s) => ({
      project: s.c.project,
      id: s.id,
      versions: [{ data: secretValue(s.id) }],
      members: [workload(s.c)],
    })),
  );
  for (const s of seed) {
    secrets[s.id] = { from: s.from, ref: `projects/${s.c.project}/secrets/${s.id}/versions/1` };
  }
  const config = world.config({ secrets, fetch: { callTimeout: 5000, startupDeadline: 30_000 } });
  world.fault({ route: '*', latencyMs: LATENCY_MS });
  const logger = silentLogger();

  const parallel = async (): Promise<number> => {
    const started = performance.now();
    const got = await fetchAll(config, createIdentities(config, logger), {
      logger,
      baseDir: world.dir,
    });
    if (got.size !== seed.length) throw new Error('fetchAll returned too few secrets');
    return performance.now() - started;
  };

  const sequential = async (): Promise<number> => {
    const started = performance.now();
    const ids = createIdentities(config, logger);
    const signal = new AbortController().signal;
    for (const [name, s] of Object.entries(config.secrets)) {
      const ref = s.ref ?? '';
      await fetchGcpSecret({
        target: {
          secret: name,
          collaborator: s.from,
          ref,
          url: accessUrl(config.endpoints, ref, parseSecretRef(ref, name)),
        },
        token: ids.accessToken(s.from),
        identities: ids,
        policy: config.fetch,
        signal,
        logger,
      });
    }
    return performance.now() - started;
  };

  await parallel(); // warm-up (JIT, keep-alive sockets)
  await sequential();
  const p: number[] = [];
  const q: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    p.push(await parallel());
    q.push(await sequential());
  }
  const median = (xs: number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const mp = median(p);
  const mq = median(q);
  console.log(
    `startup-fetch: ${seed.length} secrets, 2 collaborators, +${LATENCY_MS} ms per call, ${ROUNDS} rounds`,
  );
  console.log(`  fetchAll (parallel)   median ${mp.toFixed(1)} ms`);
  console.log(`  sequential loop       median ${mq.toFixed(1)} ms`);
  console.log(`  ratio sequential/parallel = ${(mq / mp).toFixed(2)}x`);
} finally {
  await world.stop();
}
