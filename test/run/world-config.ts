// A teeinit config for the demo world (emulator/demo-world.ts), written to a temp dir.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoWorld } from '../../emulator/demo-world.js';

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

/** Why: the mtls-server proxy several run and refresh tests put in front of their app. */
export function ingressProxy(listenPort: number, targetPort: number): Record<string, unknown> {
  return {
    name: 'ingress',
    mode: 'mtls-server',
    listen: `127.0.0.1:${listenPort}`,
    target: `127.0.0.1:${targetPort}`,
    tls: 'server',
    authorize: { commonNames: ['client.bob'] },
    start: 'after-processes',
  };
}

/**
 * Why: the run tests that need no emulator share one config: a `local` collaborator, one
 * `file`-source secret `greeting` read from `greeting.txt` in `work` (the caller writes it).
 */
export function localConfig(
  work: string,
  files: Record<string, unknown>,
  processes: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: 1,
    collaborators: { local: { credentials: 'none' } },
    secrets: { greeting: { from: 'local', path: join(work, 'greeting.txt') } },
    files,
    processes,
    ...extra,
  };
}
