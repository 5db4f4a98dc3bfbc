// A teeinit config for the demo world (emulator/demo-world.ts), written to a temp dir.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoWorld } from '../../emulator/demo-world.js';

export const ALICE_PROVIDER =
  '//iam.googleapis.com/projects/111111111111/locations/global/workloadIdentityPools/cs-pool/providers/attestation-verifier';
export const BOB_PROVIDER =
  '//iam.googleapis.com/projects/222222222222/locations/global/workloadIdentityPools/cs-pool/providers/attestation-verifier';

const ref = (project: string, id: string, version = '1'): string =>
  `projects/${project}/secrets/${id}/versions/${version}`;

/** The standard config: every demo secret, the PSK, the server bundle, one process. */
export function worldConfig(
  world: DemoWorld,
  secretsDir: string,
  processes: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return structuredClone({
    version: 1,
    ...world.configBase,
    collaborators: { alice: { provider: ALICE_PROVIDER }, bob: { provider: BOB_PROVIDER } },
    secrets: {
      ca: { from: 'alice', ref: ref('alice-proj', 'ca') },
      'server-cert': { from: 'alice', ref: ref('alice-proj', 'server-cert') },
      'server-key': { from: 'alice', ref: ref('alice-proj', 'server-key') },
      'alice-share': { from: 'alice', ref: ref('alice-proj', 'alice-share') },
      'bob-share': { from: 'bob', ref: ref('bob-proj', 'bob-share') },
    },
    keys: { 'session-psk': { shares: ['alice-share', 'bob-share'] } },
    tls: { server: { cert: 'server-cert', key: 'server-key', ca: 'ca', usage: 'server' } },
    files: { dir: secretsDir, entries: { 'server-key': { name: 'server.key', mode: '0600' } } },
    fetch: { startupDeadline: '20s', initialBackoff: '50ms', maxBackoff: '200ms' },
    processes,
    ...extra,
  });
}

export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const path = join(dir, 'teeinit.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
