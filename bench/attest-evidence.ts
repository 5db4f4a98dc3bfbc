// Bench: what an attested connection costs. The launcher's part (a custom token from the
// emulator's teeserver: the floor of a real launcher, which adds a vTPM quote and a round
// trip to Google per token), the per-connection evidence build and verify, and a loopback
// mTLS 1.3 handshake with and without the exchange, measured in the same run. Sequential,
// so the numbers are latencies, not throughput.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { request } from 'node:http';
import { exporterValue, signExporter } from '../src/attest/binding.js';
import { exchangeEvidence } from '../src/attest/exchange.js';
import { encodeFrame, FrameParser, type Frame } from '../src/attest/frame.js';
import { readJwks } from '../src/attest/oidc-keys.js';
import { createPeerVerifier } from '../src/attest/peer-verifier.js';
import { TokenKeeper } from '../src/attest/token-keeper.js';
import { pairFactory } from '../test/attest/tls-pair.js';
import { AUDIENCE, startAttestWorld } from '../test/attest/world.js';

const ROUNDS = Number(process.env.BENCH_ATTEST_ROUNDS ?? 300);

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return `median ${at(0.5).toFixed(3)} ms, p95 ${at(0.95).toFixed(3)} ms (n=${s.length})`;
}

async function time(n: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

function postToken(socketPath: string, tokenType: string): Promise<void> {
  const body = JSON.stringify({
    audience: AUDIENCE,
    nonces: ['a'.repeat(64)],
    token_type: tokenType,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: '/v1/token', method: 'POST', host: 'localhost' },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const world = await startAttestWorld();
const mtls = await pairFactory(world, 'mtls');
try {
  const socket = world.emulator.socketPath;
  console.log(
    `launcher (emulator teeserver) POST /v1/token OIDC: ${stats(await time(ROUNDS, () => postToken(socket, 'OIDC')))}`,
  );
  console.log(
    `launcher (emulator teeserver) POST /v1/token PKI:  ${stats(await time(ROUNDS, () => postToken(socket, 'PKI')))}`,
  );

  const verifier = createPeerVerifier(world.policy);
  const jwks = readJwks(
    await (await fetch(`${world.emulator.endpoints.issuer}/jwks`)).json(),
    'JWKS',
  );
  const root = new X509Certificate(readFileSync(world.rootFile));
  const keepers = {
    OIDC: await TokenKeeper.start({ socketPath: socket, audience: AUDIENCE, tokenType: 'OIDC' }),
    PKI: await TokenKeeper.start({ socketPath: socket, audience: AUDIENCE, tokenType: 'PKI' }),
  };
  const pair = await mtls.connect();
  for (const type of ['OIDC', 'PKI'] as const) {
    const id = keepers[type].current();
    if (id === undefined) throw new Error('no identity');
    let frame: Buffer = Buffer.alloc(0);
    const build = await time(ROUNDS * 5, () => {
      const exporter = exporterValue(pair.client);
      const signature = signExporter(id.key.privateKey, 'client', exporter);
      frame = encodeFrame({
        type: 'evidence',
        evidence: { token: id.token, publicKey: id.key.publicKeyDer, signature },
      });
    });
    console.log(
      `evidence build (exporter + Ed25519 sign + frame, ${frame.length} B) ${type}: ${stats(build)}`,
    );
    const exporter = exporterValue(pair.server);
    // First use of a token: a fresh verifier (keys given, no fetch) checks signature and chain.
    const first = await time(ROUNDS, () =>
      createPeerVerifier(world.policy, { jwks, root }).verifyEvidence(
        firstEvidence(frame),
        exporter,
        'client',
      ),
    );
    console.log(`evidence verify, first use of a token ${type}: ${stats(first)}`);
    await verifier.verifyEvidence(firstEvidence(frame), exporter, 'client');
    const later = await time(ROUNDS * 2, () =>
      verifier.verifyEvidence(firstEvidence(frame), exporter, 'client'),
    );
    console.log(`evidence verify, later uses of the token ${type}: ${stats(later)}`);
  }

  // Interleaved, so both see the same load on a shared machine.
  const plain: number[] = [];
  const attested: number[] = [];
  const side = { require: verifier, timeoutMs: 5_000 };
  for (let i = 0; i < ROUNDS; i += 1) {
    plain.push(
      ...(await time(1, async () => {
        const p = await mtls.connect();
        p.client.destroy();
        p.server.destroy();
      })),
    );
    attested.push(
      ...(await time(1, async () => {
        const p = await mtls.connect();
        const [s, c] = await Promise.all([
          exchangeEvidence(p.server, { ...side, role: 'server', present: keepers.OIDC }),
          exchangeEvidence(p.client, { ...side, role: 'client', present: keepers.OIDC }),
        ]);
        if (!s.ok || !c.ok) throw new Error('refused');
        p.client.destroy();
        p.server.destroy();
      })),
    );
  }
  console.log(`loopback mTLS 1.3 connect, handshake only:            ${stats(plain)}`);
  console.log(`loopback mTLS 1.3 connect + attest both ways (OIDC):  ${stats(attested)}`);
  keepers.OIDC.stop();
  keepers.PKI.stop();
} finally {
  await mtls.close();
  await world.stop();
}

function firstEvidence(frame: Buffer): Extract<Frame, { type: 'evidence' }>['evidence'] {
  const step = new FrameParser().push(frame);
  if (!step.done || step.frame.type !== 'evidence') throw new Error('bad frame');
  return step.frame.evidence;
}
