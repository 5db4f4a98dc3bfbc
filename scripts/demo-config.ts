// The teeinit config the demo runs. With redis-server installed it is the shipped
// examples/redis/teeinit.yaml, changed only where this machine differs from Confidential
// Space, plus bob's share and a psk-server proxy; without redis, a small built-in backend
// behind teeinit's own mtls-server and psk-server proxies.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DEFAULT_IMAGE_DIGEST } from '../emulator/attestation/claims.js';
import type { DemoWorld } from '../emulator/demo-world.js';
import { DEFAULT_POOL, imagePrincipalSet } from '../emulator/default-world.js';
import { applySeed, parseSeedDocument } from '../emulator/seed/apply.js';

/** Where the demo listens: TLS for clients with certificates, TLS-PSK, and the plaintext
 * loopback port of the backend. */
export interface DemoPorts {
  readonly tls: number;
  readonly psk: number;
  readonly plain: number;
  /** teeinit's status endpoint (/healthz, /readyz, /status, /metrics). */
  readonly status: number;
}

/** The config to write, and what the narration says about it. */
export interface DemoConfig {
  readonly config: Record<string, unknown>;
  /** What differs from the shipped example, in plain words (empty for the built-in). */
  readonly changes: readonly string[];
  /** Who terminates mTLS: the backend itself or teeinit's mtls-server proxy. */
  readonly mtlsBy: string;
}

export const REDIS_EXAMPLE = 'examples/redis/teeinit.yaml';
const EXAMPLE_URL = new URL('../../examples/redis/teeinit.yaml', import.meta.url);
const PSK_IDENTITY = 'Client1';

interface Tree {
  attestation: Record<string, unknown>;
  collaborators: Record<string, unknown>;
  secrets: Record<string, { from: string; ref: string }>;
  files: {
    dir: string;
    unsafeAllowNonTmpfs?: boolean;
    entries: Record<string, { owner?: string }>;
  };
  processes: { name: string; run: string[]; user?: string; ready: { tcp: string } }[];
  [key: string]: unknown;
}

// Why: the demo should run what a user would ship, so the example is loaded as is and only
// endpoints, token file, secrets directory, ports and (when not root) the user change.
/** examples/redis retargeted at the emulator; seeds alice's secrets under the example's names. */
export function redisExampleConfig(
  world: DemoWorld,
  ports: DemoPorts,
  secretsDir: { dir: string; tmpfs: boolean },
): DemoConfig {
  const tree = parse(readFileSync(EXAMPLE_URL, 'utf8')) as Tree;
  const base = world.configBase as Tree;
  seedUnderExampleNames(world, tree.secrets);
  const changes = ['emulator endpoints and token file instead of Google and the launcher'];

  tree.attestation = { ...tree.attestation, tokenFile: world.emulator.tokenFile };
  tree.endpoints = base.endpoints;
  tree.files.dir = secretsDir.dir;
  changes.push(`secrets directory ${secretsDir.dir} instead of /run/secrets`);
  if (!secretsDir.tmpfs) tree.files.unsafeAllowNonTmpfs = true;

  const redis = tree.processes.find((p) => p.name === 'redis');
  if (!redis) throw new Error(`${REDIS_EXAMPLE} has no process named redis`);
  const port = redis.run.indexOf('--port');
  redis.run = redis.run.map((arg) => (arg === '6379' ? String(ports.tls) : arg));
  if (port >= 0) redis.run[port + 1] = String(ports.plain);
  redis.run.push('--bind', '127.0.0.1');
  redis.ready.tcp = `127.0.0.1:${ports.tls}`;
  changes.push(`TLS port ${ports.tls} instead of 6379, on 127.0.0.1 only`);
  changes.push(
    `plaintext port ${ports.plain} opened on 127.0.0.1 (instead of --port 0) for the PSK proxy`,
  );
  if (process.getuid?.() !== 0) {
    delete redis.user;
    for (const entry of Object.values(tree.files.entries)) delete entry.owner;
    changes.push('redis runs as you, not as the redis user (the demo is not root)');
  }

  tree.collaborators.bob = base.collaborators.bob;
  tree.secrets['alice-share'] = base.secrets['alice-share']!;
  tree.secrets['bob-share'] = base.secrets['bob-share']!;
  tree.keys = base.keys;
  tree.proxies = [pskProxy(ports)];
  changes.push(
    `added: bob, both PSK shares and a psk-server on port ${ports.psk} in front of redis, as in examples/psk`,
  );
  const shippedStatus = (tree.status as { listen?: string } | undefined)?.listen;
  tree.status = statusEndpoint(ports);
  changes.push(
    shippedStatus === undefined
      ? `added: teeinit's status endpoint on 127.0.0.1:${ports.status}`
      : `status endpoint on 127.0.0.1:${ports.status} instead of ${shippedStatus}`,
  );
  return { config: tree, changes, mtlsBy: 'redis' };
}

// Why: the demo still has to show both protocols on a machine without redis.
/** The built-in backend behind teeinit's own mtls-server and psk-server proxies. */
export function builtinConfig(
  world: DemoWorld,
  ports: DemoPorts,
  secretsDir: { dir: string; tmpfs: boolean },
  backendScript: string,
): DemoConfig {
  const config = {
    version: 1,
    ...world.configBase,
    files: { dir: secretsDir.dir, unsafeAllowNonTmpfs: !secretsDir.tmpfs },
    status: statusEndpoint(ports),
    proxies: [
      pskProxy(ports),
      {
        name: 'mtls-ingress',
        mode: 'mtls-server',
        listen: `127.0.0.1:${ports.tls}`,
        target: `127.0.0.1:${ports.plain}`,
        tls: 'server',
        start: 'after-processes',
        authorize: { uris: ['spiffe://bob.example/tee/*'] },
      },
    ],
    processes: [
      {
        name: 'backend',
        run: [process.execPath, backendScript, String(ports.plain)],
        ready: { tcp: `127.0.0.1:${ports.plain}` },
      },
    ],
  };
  return { config, changes: [], mtlsBy: "teeinit's mtls-server proxy" };
}

/** The PSK identity clients present. */
export const DEMO_PSK_IDENTITY = PSK_IDENTITY;

/** The name of the psk-server proxy (its counters are labelled with it). */
export const DEMO_PSK_PROXY = 'psk-ingress';

/** On loopback, so `/metrics` is served too. */
function statusEndpoint(ports: DemoPorts): { listen: string } {
  return { listen: `127.0.0.1:${ports.status}` };
}

function pskProxy(ports: DemoPorts): Record<string, unknown> {
  return {
    name: DEMO_PSK_PROXY,
    mode: 'psk-server',
    listen: `127.0.0.1:${ports.psk}`,
    target: `127.0.0.1:${ports.plain}`,
    identities: { [PSK_IDENTITY]: 'session-psk' },
    tlsVersion: '1.3',
    start: 'after-processes',
  };
}

/** Stores the demo CA and server pair again under the secret ids the example names. */
function seedUnderExampleNames(
  world: DemoWorld,
  secrets: Record<string, { from: string; ref: string }>,
): void {
  const payload: Record<string, string> = {
    ca: world.ca.cert,
    'server-cert': world.server.cert,
    'server-key': world.server.key,
  };
  const seeded = Object.entries(secrets).map(([name, { ref }]) => {
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/1$/.exec(ref);
    const data = payload[name];
    if (!m || data === undefined) throw new Error(`${REDIS_EXAMPLE}: unexpected secret ${name}`);
    const project = m[1]!;
    const number = world.emulator.store.projectNumber(project) ?? project;
    return {
      project,
      id: m[2]!,
      versions: [{ data }],
      bindings: [
        {
          role: 'roles/secretmanager.secretAccessor',
          members: [imagePrincipalSet(number, DEFAULT_POOL, DEFAULT_IMAGE_DIGEST)],
        },
      ],
    };
  });
  applySeed(world.emulator.store, parseSeedDocument({ secrets: seeded }), Date.now);
}
