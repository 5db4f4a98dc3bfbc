// The Confidential Space emulator as a process inside the container's network namespace
// (`nsenter -n teeinit-emulator serve`) on fixed loopback ports, seeded with
// `teeinit-emulator seed FILE` from a 0600 file that is removed right after.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO } from '../examples/harness.js';
import { pollUntil, withDeadline } from '../helpers/poll.js';
import type { SeedSecretSpec } from '../examples/world.js';
import type { ContainerNamespace } from './namespace.js';

const EMULATOR_CLI = join(REPO, 'dist', 'emulator', 'cli.js');

/** Fixed ports inside the namespace (nothing else listens there). */
export const EMULATOR_PORTS = {
  issuer: 9101,
  sts: 9102,
  iamCredentials: 9103,
  secretManager: 9104,
  metadata: 9105,
  admin: 9106,
} as const;

/** The endpoints a teeinit config inside the namespace uses. */
export const EMULATOR_ENDPOINTS = {
  sts: `http://127.0.0.1:${EMULATOR_PORTS.sts}`,
  iamCredentials: `http://127.0.0.1:${EMULATOR_PORTS.iamCredentials}`,
  secretManager: `http://127.0.0.1:${EMULATOR_PORTS.secretManager}`,
} as const;

/** A running emulator process (default world: alice, bob, cs-pool, the default digest). */
export interface NamespacedEmulator {
  readonly pid: number;
  /** Everything it (and the seed command) printed. */
  output(): string;
  /** SIGTERM to its own pid, SIGKILL after 10 s; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Starts `teeinit-emulator serve --state-dir stateDir` in the namespace's network. */
export async function startEmulatorIn(
  ns: ContainerNamespace,
  stateDir: string,
): Promise<NamespacedEmulator> {
  const child = spawn(
    ns.enter(false)[0]!,
    [
      ...ns.enter(false).slice(1),
      process.execPath,
      EMULATOR_CLI,
      'serve',
      '--state-dir',
      stateDir,
      '--port-issuer',
      String(EMULATOR_PORTS.issuer),
      '--port-sts',
      String(EMULATOR_PORTS.sts),
      '--port-iam',
      String(EMULATOR_PORTS.iamCredentials),
      '--port-secretmanager',
      String(EMULATOR_PORTS.secretManager),
      '--port-metadata',
      String(EMULATOR_PORTS.metadata),
      '--port-admin',
      String(EMULATOR_PORTS.admin),
      // The secrets are seeded after start and used at once: no IAM propagation delay.
      '--iam-propagation',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error('emulator did not start');
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const emulator: NamespacedEmulator = {
    pid: child.pid,
    output: () => text,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      try {
        await withDeadline(exited, 10_000, 'the emulator to stop');
      } catch {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  await pollUntil(
    'the emulator to serve',
    () => {
      if (child.exitCode !== null) throw new Error(`emulator exited early:\n${text}`);
      return /Confidential Space emulator running/.test(text);
    },
    45_000, // a backstop for a hung start: node boots slowly on a loaded machine
  );
  return emulator;
}

/** Applies the secrets (version 1 each) with `teeinit-emulator seed FILE` in the namespace. */
export async function seedIn(
  ns: ContainerNamespace,
  stateDir: string,
  secrets: readonly SeedSecretSpec[],
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'teeinit-seed-'));
  try {
    const file = join(dir, 'seed.yaml');
    const doc = {
      secrets: secrets.map((s) => ({
        project: s.project,
        id: s.id,
        versions: [{ dataBase64: Buffer.from(s.data).toString('base64') }],
        bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [...s.members] }],
      })),
    };
    writeFileSync(file, stringify(doc), { mode: 0o600 });
    const r = await ns.exec(
      [process.execPath, EMULATOR_CLI, 'seed', file, '--emulator-state', stateDir],
      { timeoutMs: 45_000 },
    );
    if (r.code !== 0) throw new Error(`seed failed (${r.code}): ${r.stderr}`);
    return r.stdout + r.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
