// `npm run demo`: the whole Confidential Space flow on this machine, in plain words.
// Starts the emulator, stores two collaborators' secrets, runs teeinit with the redis
// example (or a small built-in backend), connects over mTLS and TLS-PSK as clients would,
// shows what is refused, stops everything and checks that no secret file or value is left.
import { randomBytes, X509Certificate } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { DEFAULT_IMAGE_DIGEST } from '../emulator/attestation/claims.js';
import { startDemoWorld } from '../emulator/demo-world.js';
import { TMPFS_MAGIC } from '../src/preflight/tmpfs.js';
import { nodeFlagsForRun } from '../src/preflight/index.js';
import {
  builtinConfig,
  DEMO_PSK_IDENTITY,
  DEMO_PSK_PROXY,
  redisExampleConfig,
  REDIS_EXAMPLE,
} from './demo-config.js';
import { findOnPath, freePort, ping, refusal, shortFingerprint } from './demo-net.js';
import { clientPsk, pskClientOptions } from './demo-psk.js';
import { leakedSecrets, narrateShutdown, narrateStartup } from './demo-narrate.js';
import { bold, dim, say, sayMs, step } from './demo-print.js';
import {
  narrateMetrics,
  narrateReadiness,
  narrateStopping,
  StatusProbe,
  watchReadiness,
  watchStopping,
} from './demo-status.js';
import { isRecord, startTeeinit, type DemoTeeinit, type LogLine } from './demo-teeinit.js';

const BACKEND = fileURLToPath(new URL('./demo-backend.js', import.meta.url));
const USAGE = `Usage: npm run demo [-- --verbose]

Runs the whole teeinit flow on this machine against the local Confidential Space emulator.
  --verbose   also print teeinit's own log (one JSON record a line)
`;
const cleanups: (() => Promise<void> | void)[] = [];
let running: DemoTeeinit | undefined;
let interrupted = false;

/** Runs every registered cleanup once, newest first; never throws. */
async function cleanUp(): Promise<void> {
  for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) {
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function secretsDir(): { dir: string; tmpfs: boolean } {
  let tmpfs = false;
  try {
    tmpfs = statfsSync('/dev/shm').type === TMPFS_MAGIC;
  } catch {
    // no /dev/shm
  }
  const parent = mkdtempSync(tmpfs ? '/dev/shm/teeinit-demo-' : join(tmpdir(), 'teeinit-demo-'));
  chmodSync(parent, 0o711); // the redis user must reach its files; nobody may list them
  cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
  return { dir: join(parent, 'secrets'), tmpfs };
}

async function main(verbose: boolean): Promise<void> {
  const started = performance.now();
  console.log(bold('teeinit demo: an attested container gets its secrets from two collaborators,'));
  console.log(bold('then serves mTLS and multiparty TLS-PSK. Everything stays on 127.0.0.1.'));

  step('Start the local Confidential Space emulator');
  const work = mkdtempSync(join(tmpdir(), 'teeinit-demo-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const t = performance.now();
  const world = await startDemoWorld({ stateDir: join(work, 'emulator') });
  cleanups.push(() => world.stop());
  say("It plays Google's side with the real wire formats (dev tooling, never in an image):");
  say(`attestation token  ${world.emulator.tokenFile}`, 1);
  say(`STS                ${world.emulator.endpoints.sts}`, 1);
  say(`Secret Manager     ${world.emulator.endpoints.secretManager}`, 1);
  sayMs('emulator ready', performance.now() - t);

  step('Two collaborators store their secrets in their own Secret Manager projects');
  const serverFp = new X509Certificate(world.server.cert).fingerprint256;
  say('alice: a fresh CA, a server certificate for localhost and its key, and her PSK share');
  say(`       (server certificate SHA-256 ${shortFingerprint(serverFp)})`);
  say('bob:   his PSK share (alice never sees it)');
  say(
    `Each may be read only by a workload attested as image ${DEFAULT_IMAGE_DIGEST.slice(0, 19)}…`,
  );

  const redis = findOnPath('redis-server');
  const ports = {
    tls: await freePort(),
    psk: await freePort(),
    plain: await freePort(),
    status: await freePort(),
  };
  const dir = secretsDir();
  const setup = redis
    ? redisExampleConfig(world, ports, dir)
    : builtinConfig(world, ports, dir, BACKEND);
  step(
    redis
      ? `Run teeinit with ${REDIS_EXAMPLE}`
      : 'Run teeinit in front of a small built-in backend',
  );
  if (redis) {
    say('Changed for this machine, everything else as shipped:');
    setup.changes.forEach((c) => say(`- ${c}`, 1));
  } else {
    say('redis-server is not on PATH, so a small PING/PONG server stands in for redis and');
    say("teeinit's own mtls-server proxy checks client certificates (install redis-server to");
    say(`run ${REDIS_EXAMPLE} instead).`);
  }
  const configPath = join(work, 'teeinit.yaml');
  writeFileSync(configPath, stringify(setup.config), { mode: 0o600 });
  say(
    dim(`$ node ${[...nodeFlagsForRun(), 'dist/src/cli/main.js'].join(' ')} run -c ${configPath}`),
  );
  const echo = (line: LogLine): void => {
    if (verbose) console.log(dim(`   | ${line.text}`));
  };
  const spawned = performance.now();
  const teeinit = startTeeinit(configPath, echo);
  cleanups.push(async () => void (await teeinit.stop()));
  running = teeinit;
  const status = new StatusProbe(`127.0.0.1:${ports.status}`);
  const gone = (): boolean => teeinit.child.exitCode !== null;
  const readiness = watchReadiness(status, spawned, gone, 60_000);
  const ready = await teeinit.waitFor(isRecord('running'), 60_000);
  if (!ready) {
    const code = teeinit.child.exitCode;
    throw new Error(
      code === null
        ? 'teeinit was not running after 60 s'
        : `teeinit exited with ${code} before it was running`,
    );
  }
  narrateStartup(teeinit.lines);
  narrateReadiness(status.address, await readiness);

  step(
    `A client with a certificate from alice's CA connects over mTLS (${setup.mtlsBy} checks it)`,
  );
  const mtls = { port: ports.tls, servername: 'localhost', ca: world.ca.cert };
  const answer = await ping({ ...mtls, cert: world.client.cert, key: world.client.key });
  sayMs(`client certificate CN=client.bob: PING → ${answer.answer}`, answer.ms);
  if (answer.serverFingerprint !== serverFp)
    throw new Error('the server presented another certificate');
  say(`the server presented the certificate alice stored (SHA-256 ${shortFingerprint(serverFp)})`);
  const mark = teeinit.lines.length;
  const noCert = await refusal(mtls);
  if (noCert === undefined) throw new Error('a client without a certificate got an answer');
  say(`a client without a certificate: refused (${noCert})`);
  const logged = await teeinit.waitFor(
    (l) => /did not return a certificate|no-client-cert/.test(l.text),
    2000,
    mark,
  );
  if (logged)
    say(dim(`${setup.mtlsBy === 'redis' ? 'redis' : 'teeinit'} logged: ${reasonOf(logged)}`));

  step(
    "A client holding the key derived from both shares connects over TLS-PSK (teeinit's psk-server)",
  );
  const psk = (key: Buffer) => pskClientOptions(ports.psk, key);
  const key = clientPsk(world.shares.alice, world.shares.bob);
  say(
    `the client derives the same key (HKDF-SHA256 over both shares), identity ${DEMO_PSK_IDENTITY}`,
  );
  const viaPsk = await ping(psk(key));
  sayMs(`PING → ${viaPsk.answer}`, viaPsk.ms);
  const guessed = randomBytes(32).toString('hex');
  const mark2 = teeinit.lines.length;
  const without = await refusal(psk(clientPsk(world.shares.alice, guessed)));
  if (without === undefined) throw new Error('a key without bob’s share got an answer');
  say(`a client with alice's share and a guessed one instead of bob's: refused (${without})`);
  const pskLogged = await teeinit.waitFor(
    isRecord('proxy connection refused', 'proxy'),
    2000,
    mark2,
  );
  if (pskLogged) say(dim(`teeinit logged: ${reasonOf(pskLogged)}`));

  step("Ask teeinit's status endpoint what it counted (/metrics, on loopback only)");
  await narrateMetrics(status, DEMO_PSK_PROXY);

  step('Stop the container: SIGTERM to teeinit, as Confidential Space does');
  const mark3 = teeinit.lines.length;
  const t3 = performance.now();
  const stopped = teeinit.stop();
  const health = await watchStopping(status, () => t3, stopped);
  const code = await stopped;
  running = undefined;
  narrateShutdown(teeinit.lines.slice(mark3));
  narrateStopping(health);
  const left = existsSync(dir.dir) ? readdirSync(dir.dir) : [];
  sayMs(
    `teeinit exited with ${code}; secret files left in ${dir.dir}: ${left.length}`,
    performance.now() - t3,
  );
  const answers = status.bodies.map((text) => ({ text }));
  const leaks = leakedSecrets([...teeinit.lines, ...answers], world.secretValues);
  say(
    `teeinit's log (${teeinit.lines.length} lines) and the status endpoint's ${answers.length} answers contain ${leaks === 0 ? 'no secret value' : `${leaks} secret value(s)!`}`,
  );
  if (code !== 0 || left.length > 0 || leaks > 0) throw new Error('unexpected shutdown');

  await cleanUp();
  say(dim('emulator stopped, temporary directories removed'));
  console.log(`\n${bold('Done')} in ${((performance.now() - started) / 1000).toFixed(1)} s. Next:`);
  say(`node dist/src/cli/main.js plan -c ${REDIS_EXAMPLE}    what the image would fetch and write`);
  say('examples/README.md      the five deployments, with their Dockerfiles and gcloud commands');
  say('docs/emulator.md        run your own workload against the emulator');
  say('docs/configuration.md   every config key');
}

function reasonOf(line: LogLine): string {
  const reason = line.record?.reason;
  if (typeof reason === 'string') return `${String(line.record?.message)} (${reason})`;
  return line.text.replace(/^.*::/, ''); // redis: '… SSL routines::peer did not return …'
}

const args = process.argv.slice(2);
if (args.some((a) => a !== '--verbose')) {
  const help = args.includes('--help') || args.includes('-h');
  (help ? process.stdout : process.stderr).write(USAGE);
  process.exit(help ? 0 : 2);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping teeinit and cleaning up`);
    void cleanUp().then(() => process.exit(130));
  });
}
main(args.includes('--verbose')).then(
  () => process.exit(0),
  async (error: unknown) => {
    if (interrupted) return; // the signal handler cleans up and exits
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    if (running && !args.includes('--verbose')) {
      console.error("teeinit's last log lines:");
      running.lines.slice(-15).forEach((l) => console.error(`   | ${l.text}`));
    }
    await cleanUp();
    process.exit(1);
  },
);
