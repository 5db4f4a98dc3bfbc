// `npm run demo`: the whole Confidential Space flow on this machine, in plain words.
// Starts the emulator, stores two collaborators' secrets, runs teeinit in front of redis
// (or a small built-in backend), connects over mTLS and over TLS-PSK as clients would,
// shows what is refused, stops everything and checks that no secret file is left.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { startDemoWorld } from '../emulator/demo-world.js';
import { deriveKey } from '../src/keys/index.js';
import { TMPFS_MAGIC } from '../src/materialize/index.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const BACKEND = fileURLToPath(new URL('./demo-backend.js', import.meta.url));
const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string): string => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
let stepNo = 0;
const step = (text: string): void => console.log(`\n${bold(`${++stepNo}. ${text}`)}`);
const say = (text: string): void => console.log(`   ${text}`);

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

function which(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function secretsDir(): { dir: string; tmpfs: boolean } {
  try {
    if (statfsSync('/dev/shm').type === TMPFS_MAGIC) {
      return { dir: join(mkdtempSync('/dev/shm/teeinit-demo-'), 'secrets'), tmpfs: true };
    }
  } catch {
    // no /dev/shm
  }
  return {
    dir: join(mkdtempSync(join(tmpdir(), 'teeinit-demo-secrets-')), 'secrets'),
    tmpfs: false,
  };
}

/** One request over TLS; resolves with the first line answered, or rejects. */
async function ping(options: ConnectionOptions): Promise<string> {
  const socket = connect({ host: '127.0.0.1', ...options });
  socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
  await once(socket, 'secureConnect');
  socket.write('PING\r\n');
  let answer = '';
  for await (const chunk of socket) {
    answer += String(chunk);
    if (answer.includes('\n')) break;
  }
  socket.destroy();
  if (!answer.includes('\n')) throw new Error('connection closed without an answer');
  return answer.trim();
}

async function refused(options: ConnectionOptions): Promise<boolean> {
  try {
    await ping(options);
    return false;
  } catch {
    return true;
  }
}

async function main(): Promise<number> {
  console.log(
    bold(
      'teeinit demo: an attested container gets its secrets, serves mTLS and multiparty TLS-PSK',
    ),
  );
  const work = mkdtempSync(join(tmpdir(), 'teeinit-demo-'));
  const secrets = secretsDir();
  let teeinit: ReturnType<typeof spawn> | undefined;
  step('Starting the local Confidential Space emulator');
  const world = await startDemoWorld({ stateDir: join(work, 'emulator') });
  try {
    say(`attestation token (rotated like the launcher does): ${world.emulator.tokenFile}`);
    say(
      `STS ${world.emulator.endpoints.sts}, Secret Manager ${world.emulator.endpoints.secretManager}`,
    );

    step('Two collaborators store their secrets, each granting access to this image only');
    say('alice: a CA, the server certificate and key, and her PSK share');
    say('bob:   his PSK share (alice never sees it)');

    const redis = which('redis-server');
    const [tlsPort, pskPort, plainPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const backend = redis
      ? {
          name: 'redis',
          run: [
            'redis-server',
            '--save',
            '',
            '--appendonly',
            'no',
            '--bind',
            '127.0.0.1',
            '--port',
            String(plainPort),
            '--tls-port',
            String(tlsPort),
            '--tls-cert-file',
            '{{ file server-cert }}',
            '--tls-key-file',
            '{{ file server-key }}',
            '--tls-ca-cert-file',
            '{{ file ca }}',
            '--tls-auth-clients',
            'yes',
          ],
          ready: { tcp: `127.0.0.1:${tlsPort}` },
        }
      : {
          name: 'backend',
          run: [process.execPath, BACKEND, String(plainPort)],
          ready: { tcp: `127.0.0.1:${plainPort}` },
        };
    const proxies = [
      {
        name: 'psk-ingress',
        mode: 'psk-server',
        listen: `127.0.0.1:${pskPort}`,
        target: `127.0.0.1:${plainPort}`,
        psk: 'session-psk',
        identity: 'Client1',
        start: 'after-processes',
      },
      ...(redis
        ? []
        : [
            {
              name: 'mtls-ingress',
              mode: 'mtls-server',
              listen: `127.0.0.1:${tlsPort}`,
              target: `127.0.0.1:${plainPort}`,
              tls: 'server',
              start: 'after-processes',
              authorize: { uris: ['spiffe://bob.example/tee/*'] },
            },
          ]),
    ];
    const config = {
      version: 1,
      ...world.configBase,
      files: { dir: secrets.dir, unsafeAllowNonTmpfs: !secrets.tmpfs },
      proxies,
      processes: [backend],
    };
    const configPath = join(work, 'teeinit.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));

    step(
      `Running teeinit in front of ${redis ? 'redis-server' : 'a small built-in backend (redis-server is not installed)'}`,
    );
    say(dim(`node dist/src/cli/main.js run -c ${configPath}`));
    const child = spawn(process.execPath, [CLI, 'run', '-c', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    teeinit = child;
    let output = '';
    let running = false;
    const onLine = (line: string): void => {
      output += line + '\n';
      if (!line.startsWith('{')) return;
      const record = JSON.parse(line) as Record<string, unknown>;
      if (record.message === 'running') running = true;
      const shown = [
        'teeinit starting',
        'secrets fetched',
        'material validated',
        'running',
        'stopping',
        'secret files removed',
      ];
      if (
        record.stage === undefined &&
        (shown.includes(String(record.message)) || record.severity !== 'INFO')
      ) {
        say(
          dim(
            `teeinit: ${String(record.message)}${typeof record.code === 'string' ? ` (${record.code})` : ''}`,
          ),
        );
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8').on('data', (d: string) => {
        const lines = (rest + d).split('\n');
        rest = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    const exited = once(child, 'exit');
    const deadline = Date.now() + 30_000;
    while (!running) {
      if (child.exitCode !== null) throw new Error(`teeinit exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`teeinit did not start in time:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const files = readdirSync(secrets.dir);
    say(
      files.length === 0
        ? 'secret files: none (the proxies hold the certificate and the PSK in memory)'
        : `secret files on ${secrets.tmpfs ? 'tmpfs' : 'disk (no tmpfs here)'}: ${files.join(', ')}`,
    );

    step('A client with a certificate from the CA connects over mTLS');
    const answer = await ping({
      port: tlsPort,
      servername: 'localhost',
      ca: world.ca.cert,
      cert: world.client.cert,
      key: world.client.key,
    });
    say(`PING → ${answer}`);
    say(
      `without a client certificate: ${(await refused({ port: tlsPort, ca: world.ca.cert, servername: 'localhost' })) ? 'refused' : 'ACCEPTED (unexpected)'}`,
    );

    step('A client holding the key derived from both shares connects over TLS-PSK');
    const spec = {
      shares: ['alice-share', 'bob-share'],
      kdf: 'hkdf-sha256',
      salt: 'teeinit-psk-v1',
      info: 'session-psk',
      length: 32,
    } as const;
    const key = deriveKey('session-psk', spec, [
      { collaborator: 'alice', secret: 'alice-share', raw: Buffer.from(world.shares.alice) },
      { collaborator: 'bob', secret: 'bob-share', raw: Buffer.from(world.shares.bob) },
    ]);
    const psk = (k: Buffer): ConnectionOptions => ({
      port: pskPort,
      ciphers: 'TLS_AES_128_GCM_SHA256',
      minVersion: 'TLSv1.3',
      pskCallback: () => ({ psk: k, identity: 'Client1' }),
      checkServerIdentity: () => undefined,
    });
    say(`PING → ${await ping(psk(key))}`);
    const wrong = Buffer.from(key);
    wrong[0] = (wrong[0] ?? 0) ^ 0xff;
    say(
      `with a key missing bob's consent: ${(await refused(psk(wrong))) ? 'refused' : 'ACCEPTED (unexpected)'}`,
    );

    step('Stopping the container (SIGTERM to teeinit)');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    teeinit = undefined;
    const left = existsSync(secrets.dir) ? readdirSync(secrets.dir) : [];
    say(
      `teeinit exited with ${String(code)} (the backend's own exit code); secret files left: ${left.length}`,
    );
    if (code !== 0 || left.length > 0) throw new Error('unexpected shutdown');
    console.log(`\n${bold('Done.')} Read docs/ to run your own workload this way.`);
    return 0;
  } finally {
    teeinit?.kill('SIGTERM');
    await world.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(join(secrets.dir, '..'), { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
