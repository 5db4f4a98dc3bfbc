// The set-up every mTLS example test shares (redis, postgres, envoy-http, envoy-tcp): scratch
// directories, a fresh PKI seeded as the example's three TLS secrets in the emulated world,
// free loopback ports for the shipped ones (the status endpoint's included), the shipped
// config retargeted at all of that, teeinit started on it, and the backend processes it
// spawned. Start-up counts as done only once teeinit logs "running" (every ready probe
// passed): a port that accepts is not enough (postgres accepts TCP while still starting up).
// Registers its own before/after hooks.
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { RunningEmulator } from '../../emulator/index.js';
import { freePort } from '../helpers/net.js';
import { readableDir, type ReadableDir } from '../helpers/other-user.js';
import { backendPids, waitPort, waitRunning } from './checks.js';
import {
  loadExample,
  replaceInStrings,
  retarget,
  retargetStatus,
  writeConfig,
} from './example-config.js';
import type { ExampleTree } from './example-config.js';
import { killTeeinit, scratch, startTeeinit, type Scratch, type TeeinitRun } from './harness.js';
import { createTestPki, startWorld, testEnvironment, tlsSecrets, type TestPki } from './world.js';

/** What `configure` may use to adapt the retargeted tree. */
export interface MtlsContext<P extends string> {
  readonly dirs: Scratch;
  readonly ports: Readonly<Record<P, number>>;
  /** Shipped port → test port, as strings (for stand-in templates). */
  readonly portMap: Readonly<Record<string, string>>;
}

/** Which example to run and what differs between the examples. */
export interface MtlsExampleSpec<P extends string, B extends string> {
  /** Directory under examples/ holding the shipped teeinit.yaml. */
  readonly example: string;
  /** Prefix of the secret ids the shipped config pins (`<prefix>-ca`, ...). */
  readonly secretPrefix: string;
  /** Common name of the test client's certificate. */
  readonly clientCn: string;
  /** Shipped ports by role; each is replaced by a free loopback port everywhere in the config. */
  readonly ports: Readonly<Record<P, string>>;
  /** The port to wait for before waiting for "running" (a clearer failure when it never opens). */
  readonly listen: NoInfer<P>;
  /** Command-line substrings of the processes teeinit must have started, by role. */
  readonly backends: Readonly<Record<B, string>>;
  /** Test-only edits after ports and endpoints are retargeted (loopback binds, stand-ins...). */
  readonly configure?: (
    tree: ExampleTree,
    ctx: MtlsContext<P>,
  ) => ExampleTree | void | Promise<ExampleTree | void>;
  /** Extra environment for teeinit. */
  readonly env?: NodeJS.ProcessEnv;
  /** Bound on each start-up wait (port, then "running"); 45 s by default. */
  readonly startTimeoutMs?: number;
}

/** The started example, readable from tests once the before hook has run. */
export interface MtlsExample<P extends string, B extends string> {
  readonly dirs: Scratch;
  readonly pki: TestPki;
  readonly ports: Readonly<Record<P, number>>;
  /** The loopback port the shipped status endpoint (`status.listen`) was moved to. */
  readonly statusPort: number;
  readonly run: TeeinitRun;
  /** Pids of the processes named in `backends`, by role. */
  readonly pids: Readonly<Record<B, number[]>>;
}

interface State<P extends string, B extends string> {
  dirs?: Scratch;
  emulator?: RunningEmulator;
  pki?: TestPki;
  ports?: Record<P, number>;
  statusPort?: number;
  run?: TeeinitRun;
  pids?: Record<B, number[]>;
  readable?: ReadableDir;
}

// One call inside a describe(): hooks start the example before its tests and tear it down after.
export function useMtlsExample<P extends string, B extends string>(
  spec: MtlsExampleSpec<P, B>,
): MtlsExample<P, B> {
  const s: State<P, B> = {};
  before(async () => {
    const dirs = (s.dirs = scratch(spec.example));
    const pki = (s.pki = await createTestPki(dirs.client, spec.clientCn));
    s.emulator = await startWorld(join(dirs.work, 'emulator'), tlsSecrets(spec.secretPrefix, pki));
    const ports = (s.ports = await testPorts(spec.ports));
    const portMap: Record<string, string> = {};
    let tree = loadExample(spec.example);
    for (const role of roles(spec.ports)) {
      portMap[spec.ports[role]] = String(ports[role]);
      tree = replaceInStrings(tree, spec.ports[role], String(ports[role]));
    }
    retarget(tree, testEnvironment(s.emulator, dirs.secrets));
    retargetStatus(tree, (s.statusPort = await freePort()));
    // A `node` process run as another user gets a node that user can execute (a node
    // installed inside a checkout in a 0700 home is out of its reach).
    s.readable = await readableDir(`teeinit-ex-${spec.example}-node-`);
    for (const p of tree.processes) {
      if (p.user !== undefined && p.run[0] === 'node') p.run[0] = await s.readable.node();
    }
    tree = (await spec.configure?.(tree, { dirs, ports, portMap })) ?? tree;
    const run = (s.run = startTeeinit(writeConfig(dirs.work, tree), spec.env));
    await waitPort(run, ports[spec.listen], spec.startTimeoutMs);
    await waitRunning(run, spec.startTimeoutMs);
    const pids = {} as Record<B, number[]>;
    for (const role of roles(spec.backends)) {
      pids[role] = await backendPids(run, spec.backends[role]);
    }
    s.pids = pids;
  });
  after(async () => {
    await killTeeinit(s.run);
    await s.emulator?.stop();
    s.dirs?.remove();
    s.readable?.remove();
  });
  return {
    get dirs() {
      return started(s.dirs, 'dirs');
    },
    get pki() {
      return started(s.pki, 'pki');
    },
    get ports() {
      return started(s.ports, 'ports');
    },
    get statusPort() {
      return started(s.statusPort, 'statusPort');
    },
    get run() {
      return started(s.run, 'run');
    },
    get pids() {
      return started(s.pids, 'pids');
    },
  };
}

function roles<K extends string>(record: Readonly<Record<K, unknown>>): K[] {
  return Object.keys(record) as K[];
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`example fixture: ${what} read before start-up`);
  return value;
}

// Free ports whose digits contain no shipped port: the replacements run one after another,
// so a test port 48080 would be rewritten again by the replacement of 8080.
async function testPorts<P extends string>(
  shipped: Readonly<Record<P, string>>,
): Promise<Record<P, number>> {
  const avoid = Object.values<string>(shipped);
  const ports = {} as Record<P, number>;
  const taken = new Set<number>();
  for (const role of roles(shipped)) {
    for (let attempt = 0; ; attempt += 1) {
      const port = await freePort();
      if (!taken.has(port) && !avoid.some((p) => String(port).includes(p))) {
        ports[role] = port;
        taken.add(port);
        break;
      }
      if (attempt > 50) throw new Error(`no usable free port for ${role}`);
    }
  }
  return ports;
}
