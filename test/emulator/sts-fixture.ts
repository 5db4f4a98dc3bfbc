// The STS tests' shared set-up: an emulator on the default world with one more provider in
// alice-proj/cs-pool (mapped as Confidential Space maps), and a token exchange in the form
// encoding google-auth-library sends.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorConfigInput } from '../../emulator/config.js';
import {
  CONFIDENTIAL_SPACE_MAPPING,
  defaultWorld,
  STS_AUDIENCE,
} from '../../emulator/default-world.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

type ProviderInput = NonNullable<EmulatorConfigInput['providers']>[number];

/** The extra provider's own fields; project, pool and mapping are filled in. */
export type ExtraProvider = Omit<ProviderInput, 'project' | 'pool' | 'attributeMapping'>;

/** Why: each STS suite adds the one provider it is about to the same world. */
export async function startWithProvider(
  prefix: string,
  extra: ExtraProvider,
): Promise<{ emu: RunningEmulator; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const world = defaultWorld();
  const provider = {
    project: 'alice-proj',
    pool: 'cs-pool',
    attributeMapping: { ...CONFIDENTIAL_SPACE_MAPPING },
    // The default token's audience, listed as a real provider must (`--allowed-audiences`).
    allowedAudiences: [STS_AUDIENCE],
    ...extra,
  };
  const emu = await startEmulator({
    stateDir: dir,
    config: { ...world, providers: [...(world.providers ?? []), provider] },
  });
  return {
    emu,
    stop: async () => {
      await emu.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Why: the exchange exactly as a client sends it (form body), answer status and JSON. */
export async function exchangeForm(
  emu: RunningEmulator,
  fields: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.endpoints.sts}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The form fields of an access-token exchange of `subjectToken` for `audience`. */
export function exchangeFields(subjectToken: string, audience: string): Record<string, string> {
  return {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    audience,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    subject_token: subjectToken,
  };
}

/**
 * Google's STS `expires_in` for a subject token minted at `mintedAt` (seconds) with
 * `lifetime` seconds, answered at some time in [`mintedAt`, `answeredBy`]: what is left less
 * 2 s. A slow machine may spend seconds between mint and answer, so the bound is a range.
 */
export function expiresInRange(
  mintedAt: number,
  answeredBy: number,
  lifetime = 3600,
): [min: number, max: number] {
  return [mintedAt + lifetime - Math.ceil(answeredBy) - 2, lifetime - 2];
}
