// Shared fixture of the identity and fetch integration tests: a running emulator in a
// fresh state directory, secrets seeded for the default world (alice, bob), a teeinit
// Config pointing at it, and a logger whose output is captured for secret greps.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { imagePrincipalSet } from '../../emulator/default-world.js';
import { parseFaultRules } from '../../emulator/faults/controller.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import type { Config } from '../../src/config/index.js';
import { validateConfigTree } from '../../src/config/index.js';
import { captureLogger, type CapturedLog } from '../helpers/capture-logger.js';
import { ALICE, BOB } from '../helpers/collaborators.js';

export { ALICE, BOB };
export const ACCESSOR = 'roles/secretmanager.secretAccessor';

/** The workload principal set of the default image in a collaborator's pool. */
export function workload(c: { number: string }): string {
  return imagePrincipalSet(c.number, 'cs-pool', DEFAULT_IMAGE_DIGEST);
}

/** `serviceAccount:reader@P.iam.gserviceaccount.com` of the default world. */
export function reader(c: { project: string }): string {
  return `serviceAccount:reader@${c.project}.iam.gserviceaccount.com`;
}

export function provider(c: { number: string }): string {
  return `//iam.googleapis.com/projects/${c.number}/locations/global/workloadIdentityPools/cs-pool/providers/attestation-verifier`;
}

/** A random secret value, so greps for it in logs mean something. */
export function secretValue(label: string): string {
  return `${label}-${randomBytes(18).toString('base64url')}`;
}

export interface SeedSecretInput {
  readonly project: string;
  readonly id: string;
  readonly location?: string;
  readonly versions: readonly { data: string; state?: 'ENABLED' | 'DISABLED' | 'DESTROYED' }[];
  readonly members: readonly string[];
}

/** One secret of `c`'s project, a version per value (all ENABLED), granted to `c`'s workload. */
export function granted(
  c: { project: string; number: string },
  id: string,
  ...values: string[]
): SeedSecretInput {
  return {
    project: c.project,
    id,
    versions: values.map((data) => ({ data })),
    members: [workload(c)],
  };
}

/** A captured logger that masks nothing: a leak shows up instead of being masked. */
export function logCapture(onLine?: (line: string) => void): CapturedLog {
  return captureLogger({ unmasked: true, ...(onLine ? { onLine } : {}) });
}

export interface World {
  readonly em: RunningEmulator;
  readonly dir: string;
  seed(secrets: readonly SeedSecretInput[]): void;
  /** A validated teeinit Config for the emulator; `tree` is merged over the defaults. */
  config(tree: Record<string, unknown>): Config;
  /** Adds one fault rule (the emulator's rule format). */
  fault(rule: Record<string, unknown>): void;
  stop(): Promise<void>;
}

/** Starts an emulator with the default world in a fresh temp directory. */
export async function startWorld(): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'teeinit-fetch-'));
  const em = await startEmulator({ stateDir: join(dir, 'emulator') });
  return {
    em,
    dir,
    seed(secrets) {
      const doc = parseSeedDocument({
        secrets: secrets.map((s) => ({
          project: s.project,
          id: s.id,
          ...(s.location ? { location: s.location } : {}),
          versions: s.versions.map((v) => ({ data: v.data, state: v.state ?? 'ENABLED' })),
          bindings: [{ role: ACCESSOR, members: [...s.members] }],
        })),
      });
      applySeed(em.store, doc, Date.now);
    },
    config(tree) {
      const base: Record<string, unknown> = {
        version: 1,
        attestation: { tokenFile: em.tokenFile, socket: em.socketPath },
        endpoints: {
          sts: em.endpoints.sts,
          iamCredentials: em.endpoints.iamCredentials,
          secretManager: em.endpoints.secretManager,
          // The emulator serves regional names on the same port; `/{location}/..` keeps the
          // location in the template and is normalized away by the URL parser.
          secretManagerRegional: `${em.endpoints.secretManager}/{location}/..`,
        },
        collaborators: {
          alice: { provider: provider(ALICE) },
          bob: { provider: provider(BOB) },
        },
        fetch: {
          callTimeout: 2000,
          startupDeadline: 10_000,
          attempts: 4,
          initialBackoff: 20,
          maxBackoff: 200,
        },
      };
      const merged: Record<string, unknown> = { ...base, ...tree };
      for (const key of ['attestation', 'endpoints', 'fetch'] as const) {
        if (tree[key]) merged[key] = { ...(base[key] as object), ...tree[key] };
      }
      return validateConfigTree(merged, dir);
    },
    fault(rule) {
      for (const r of parseFaultRules(rule)) em.faults.add(r);
    },
    async stop() {
      await em.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
