// Bench: requests/second for Secret Manager `:access` in the emulator over loopback
// (bounded: 5,000 accesses at concurrency 16, keep-alive), checking every CRC32C.
import { Agent, request } from 'node:http';
import { startStandaloneSecretManager } from '../emulator/secret-manager/standalone.js';
import { applySeed, parseSeedDocument } from '../emulator/seed/apply.js';
import { crc32c } from '../src/secrets/crc32c.js';

const TOTAL = Number(process.env.BENCH_ACCESS_TOTAL ?? 5_000);
const CONCURRENCY = 16;

const emu = await startStandaloneSecretManager();
applySeed(
  emu.store,
  parseSeedDocument({
    secrets: [
      {
        project: 'alice-proj',
        id: 'bench',
        versions: [{ dataBase64: Buffer.alloc(2048, 7).toString('base64') }],
      },
    ],
  }),
  Date.now,
);
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const path = '/v1/projects/alice-proj/secrets/bench/versions/latest:access';

function accessOnce(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: emu.port,
        path,
        agent,
        headers: { authorization: `Bearer ${emu.ownerToken}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as {
            payload: { data: string; dataCrc32c: string };
          };
          const data = Buffer.from(body.payload.data, 'base64');
          if (res.statusCode !== 200 || String(crc32c(data)) !== body.payload.dataCrc32c) {
            reject(new Error(`bad answer ${res.statusCode}`));
          } else resolve();
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let issued = 0;
async function worker(): Promise<void> {
  while (issued < TOTAL) {
    issued++;
    await accessOnce();
  }
}

try {
  for (let i = 0; i < 200; i++) await accessOnce(); // warm-up
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `emulator :access  ${TOTAL} requests, concurrency ${CONCURRENCY}, 2 KiB payload: ` +
      `${Math.round(TOTAL / seconds)} req/s (${((seconds * 1000) / TOTAL).toFixed(3)} ms/req)`,
  );
} finally {
  agent.destroy();
  await emu.close();
}
