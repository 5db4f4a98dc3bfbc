// The emulator's admin API (Bearer admin token): fault rules, seeding, the IAM propagation
// delay, expiring every access token, counts of dead tokens used and, in the full emulator, attestation claims, custom tokens and the endpoint list.
// One implementation for the full emulator and the standalone Secret Manager, for tests and
// for users driving the emulator with curl.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenRegistry } from './access-tokens.js';
import { handleAttestationAdmin, type AttestationAdminDeps } from './attestation/admin.js';
import type { EmulatorService } from './context.js';
import { handleFaultsAdmin } from './faults/admin.js';
import type { FaultController } from './faults/controller.js';
import { sendGoogleError, sendHtml404, sendJson } from './http.js';
import { handleIamAdmin } from './iam/admin.js';
import { handleSeedAdmin } from './seed/admin.js';
import type { EmulatorStore } from './store.js';

/** What the admin API acts on; the optional parts exist only in the full emulator. */
export interface AdminDeps {
  readonly adminToken: string;
  readonly store: EmulatorStore;
  readonly tokens: AccessTokenRegistry;
  readonly faults: FaultController;
  readonly now: () => number;
  /** `/admin/attestation…` routes (full emulator only; absent: 404). */
  readonly attestation?: AttestationAdminDeps;
  /** `GET /admin/endpoints` (full emulator only; absent: 404). */
  readonly endpoints?: () => unknown;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

// Checks `Authorization: Bearer <admin token>` in constant time: equal-length digests, so
// neither the token's bytes nor its length leak through timing.
export function isAdminAuthorization(header: string | undefined, adminToken: string): boolean {
  return timingSafeEqual(sha256(header ?? ''), sha256(`Bearer ${adminToken}`));
}

// The admin API as an emulator service.
export function createAdminService(deps: AdminDeps): EmulatorService {
  return {
    name: 'admin',
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (!isAdminAuthorization(req.headers.authorization, deps.adminToken)) {
        return sendGoogleError(
          res,
          401,
          'Admin token required: Authorization: Bearer <admin token> (the emulator writes it to <stateDir>/admin-token).',
        );
      }
      const faults = /^\/admin\/faults(\/.*)?$/.exec(path);
      if (faults !== null) return handleFaultsAdmin(deps.faults, req, res, faults[1] ?? '');
      if (path === '/admin/seed') return handleSeedAdmin(deps.store, req, res, deps.now);
      if (/^\/admin\/attestation(\/mint)?$/.test(path) && deps.attestation !== undefined) {
        return handleAttestationAdmin(deps.attestation, req, res, path);
      }
      const route = `${req.method ?? 'GET'} ${path}`;
      if (route === 'GET /admin/endpoints' && deps.endpoints !== undefined) {
        return sendJson(res, 200, deps.endpoints());
      }
      if (route === 'POST /admin/tokens/expire') {
        deps.tokens.expireAll([deps.adminToken]);
        return sendJson(res, 200, { expired: true });
      }
      if (route === 'GET /admin/tokens') return sendJson(res, 200, deps.tokens.stats());
      if (path === '/admin/iam') return handleIamAdmin(deps.store, req, res);
      sendHtml404(res, path);
    },
  };
}

// Serves `/admin/...` on another service's port too (the secrets CLI posts `/admin/seed`
// to the Secret Manager URL); every other path goes to the service.
export function mountAdmin(service: EmulatorService, admin: EmulatorService): EmulatorService {
  return {
    name: service.name,
    handle: (req, res) =>
      (req.url ?? '').startsWith('/admin/') ? admin.handle(req, res) : service.handle(req, res),
  };
}
