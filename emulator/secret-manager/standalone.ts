// A Secret Manager-only emulator on loopback (tests, benches): the real service code over a
// fresh store, token registry and fault controller, served like the full emulator's (same
// HTTP serving, same admin API: `/admin/faults`, `/admin/seed`, `/admin/iam`, `/admin/tokens`).
import { AccessTokenRegistry } from '../access-tokens.js';
import { createAdminService, mountAdmin } from '../admin.js';
import type { EmulatorContext } from '../context.js';
import { FaultController } from '../faults/controller.js';
import type { ProjectModel } from '../model.js';
import { serveHttp } from '../serve-http.js';
import { EmulatorStore } from '../store.js';
import { issueOwnerToken } from './auth.js';
import { createSecretManagerService } from './service.js';

export interface StandaloneOptions {
  readonly projects?: readonly ProjectModel[];
  readonly faultSeed?: number;
  /** Clock shared by the registry and the service (tests move it to expire tokens). */
  readonly now?: () => number;
  /** Delay of a binding change made while it runs (setIamPolicy, /admin/seed); default 120. */
  readonly iamPropagationSeconds?: number;
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
  if (options.iamPropagationSeconds !== undefined) {
    store.iam.setDelaySeconds(options.iamPropagationSeconds);
  }
  for (const p of options.projects ?? DEFAULT_PROJECTS) store.addProject(p);
  const tokens = new AccessTokenRegistry(now);
  const faults = new FaultController(options.faultSeed ?? 1, tokens);
  const ctx: EmulatorContext = { store, tokens, faults, now };
  const service = createSecretManagerService(ctx);
  const ownerToken = issueOwnerToken(tokens);
  const admin = createAdminService({ adminToken: ownerToken, store, tokens, faults, now });
  const served = await serveHttp(mountAdmin(service, admin), '127.0.0.1', 0);
  return {
    url: served.url,
    port: served.port,
    ctx,
    store,
    tokens,
    faults,
    ownerToken,
    close: () => served.close(),
  };
}
