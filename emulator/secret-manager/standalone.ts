// A Secret Manager-only emulator on loopback (tests, benches): the real service code over a
// fresh store, token registry and fault controller, plus `/admin/faults` and `/admin/seed`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessTokenRegistry } from '../access-tokens.js';
import type { EmulatorContext } from '../context.js';
import { handleFaultsAdmin } from '../faults/admin.js';
import { FaultController } from '../faults/controller.js';
import { sendGoogleError, sendHtml404 } from '../http.js';
import type { ProjectModel } from '../model.js';
import { handleSeedAdmin } from '../seed/admin.js';
import { EmulatorStore } from '../store.js';
import { issueOwnerToken } from './auth.js';
import { createSecretManagerService } from './service.js';

export interface StandaloneOptions {
  readonly projects?: readonly ProjectModel[];
  readonly faultSeed?: number;
  /** Clock shared by the registry and the service (tests move it to expire tokens). */
  readonly now?: () => number;
}

export interface StandaloneSecretManager {
  readonly url: string;
  readonly port: number;
  readonly ctx: EmulatorContext;
  readonly store: EmulatorStore;
  readonly tokens: AccessTokenRegistry;
  readonly faults: FaultController;
  /** Bearer token of the emulator owner (what the admin token is in the full emulator). */
  readonly ownerToken: string;
  close(): Promise<void>;
}

/** Default projects: alice-proj = 111111111111, bob-proj = 222222222222. */
export const DEFAULT_PROJECTS: readonly ProjectModel[] = [
  { id: 'alice-proj', number: '111111111111' },
  { id: 'bob-proj', number: '222222222222' },
];

/** Starts Secret Manager alone on 127.0.0.1 with an ephemeral port. */
export async function startStandaloneSecretManager(
  options: StandaloneOptions = {},
): Promise<StandaloneSecretManager> {
  const now = options.now ?? Date.now;
  const store = new EmulatorStore();
  for (const p of options.projects ?? DEFAULT_PROJECTS) store.addProject(p);
  const tokens = new AccessTokenRegistry(now);
  const faults = new FaultController(options.faultSeed ?? 1, tokens);
  const ctx: EmulatorContext = { store, tokens, faults, now };
  const service = createSecretManagerService(ctx);
  const ownerToken = issueOwnerToken(tokens);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const admin = /^\/admin\/(faults|seed)(\/.*)?$/.exec(path);
    let work: Promise<void>;
    if (admin === null) work = service.handle(req, res);
    else if (req.headers.authorization !== `Bearer ${ownerToken}`) {
      sendGoogleError(res, 401, 'Admin token required.');
      return;
    } else if (admin[1] === 'faults') work = handleFaultsAdmin(faults, req, res, admin[2] ?? '');
    else if (admin[2] === undefined) work = handleSeedAdmin(store, req, res, now);
    else {
      sendHtml404(res, path);
      return;
    }
    work.catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ctx,
    store,
    tokens,
    faults,
    ownerToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
