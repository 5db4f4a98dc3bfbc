// One container test's world: a work dir (state, client, etc), the namespaces, the seeded
// emulator inside them, the shipped example config retargeted only at the emulator's
// loopback endpoints, and a teardown that stops only what it started.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { withDeadline } from '../helpers/poll.js';
import { loadExample } from '../examples/example-config.js';
import type { SeedSecretSpec } from '../examples/world.js';
import { startContainer, type ContainerRun } from './container-run.js';
import { sharedBundle } from './bundle.js';
import {
  EMULATOR_ENDPOINTS,
  seedIn,
  startEmulatorIn,
  type NamespacedEmulator,
} from './emulator-in-namespace.js';
import { createNamespace, type ContainerNamespace } from './namespace.js';
import { assertNoSecrets, type SecretValue } from '../helpers/leak-scan.js';

/** The production paths the shipped configs use and the namespace provides. */
export const TOKEN_FILE = '/run/container_launcher/attestation_verifier_claims_token';
export const SECRETS_DIR = '/run/secrets';

/** Everything one example's container test holds. */
export interface ContainerFixture {
  readonly work: string;
  /** Root-only directory for the test client's files. */
  readonly client: string;
  readonly ns: ContainerNamespace;
  readonly emulator: NamespacedEmulator;
  /** What the seed command printed. */
  readonly seedOutput: string;
  /** The image's config file (outside the secrets tmpfs). */
  readonly config: string;
  /** Starts the entrypoint (once). */
  start(): ContainerRun;
  /** Kills what is still running (own pids only), removes the work dir. */
  teardown(): Promise<void>;
}

/** A work dir with `client/` filled by `prepare` before the seed is built. */
export async function createFixture<T>(
  example: string,
  prepare: (clientDir: string) => Promise<T>,
  secrets: (prepared: T) => readonly SeedSecretSpec[],
): Promise<ContainerFixture & { prepared: T }> {
  const work = mkdtempSync(join(tmpdir(), `teeinit-container-${example}-`));
  const state = join(work, 'container_launcher');
  const client = join(work, 'client');
  const etc = join(work, 'etc', 'teeinit');
  mkdirSync(state, { mode: 0o700 });
  mkdirSync(client, { mode: 0o700 });
  mkdirSync(etc, { recursive: true });
  let ns: ContainerNamespace | undefined;
  let emulator: NamespacedEmulator | undefined;
  let run: ContainerRun | undefined;
  const teardown = async (): Promise<void> => {
    if (run?.running()) {
      run.kill();
      await withDeadline(run.exited, 10_000, 'the killed container to exit').catch(() => 0);
    }
    await emulator?.stop();
    await ns?.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const prepared = await prepare(client);
    ns = await createNamespace(state);
    emulator = await startEmulatorIn(ns, state);
    const seedOutput = await seedIn(ns, state, secrets(prepared));
    const tree = loadExample(example);
    // The only change to the shipped config: Google's endpoints become the emulator's.
    assert.equal(tree.attestation?.tokenFile, TOKEN_FILE);
    assert.equal(tree.files.dir, SECRETS_DIR);
    tree.endpoints = { ...EMULATOR_ENDPOINTS };
    const config = join(etc, 'config.yaml');
    writeFileSync(config, stringify(tree), { mode: 0o600 });
    const bundle = await sharedBundle();
    const fixedNs = ns;
    const fixedEmulator = emulator;
    return {
      work,
      client,
      ns: fixedNs,
      emulator: fixedEmulator,
      seedOutput,
      config,
      prepared,
      start: () => {
        if (run) throw new Error('the container was already started');
        run = startContainer(fixedNs, bundle.cli, config);
        return run;
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}

/**
 * Why: the container tests' last check: no secret value in what the container, the
 * emulator, the seed command and the test's clients printed.
 */
export function assertOutputsLeakFree(
  fx: ContainerFixture,
  run: ContainerRun,
  clientOutput: readonly string[],
  values: readonly SecretValue[],
): void {
  const texts = {
    'container output': run.output(),
    'emulator output': fx.emulator.output(),
    'seed output': fx.seedOutput,
    'client output': clientOutput.join('\n'),
  };
  for (const [where, text] of Object.entries(texts)) assertNoSecrets(text, values, where);
}
