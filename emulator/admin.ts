// The emulator's admin API (Bearer admin token): fault rules, seeding, attestation claims,
// custom tokens and expiring every access token. For tests and for users driving the
// emulator with curl.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AccessTokenRegistry } from './access-tokens.js';
import type { AttestationAuthority, MintOptions } from './attestation/authority.js';
import type { ClaimSettings } from './attestation/claims.js';
import type { TokenFileWriter } from './attestation/token-file.js';
import { claimSettingsSchema, presetSchema } from './config.js';
import type { EmulatorService } from './context.js';
import { handleFaultsAdmin } from './faults/admin.js';
import type { FaultController } from './faults/controller.js';
import { readJsonObject, sendGoogleError, sendHtml404, sendJson } from './http.js';
import { handleSeedAdmin } from './seed/admin.js';
import type { EmulatorStore } from './store.js';

export interface AdminDeps {
  readonly adminToken: string;
  readonly store: EmulatorStore;
  readonly tokens: AccessTokenRegistry;
  readonly faults: FaultController;
  readonly authority: AttestationAuthority;
  readonly tokenFile: TokenFileWriter;
  readonly now: () => number;
  readonly endpoints: () => unknown;
}

const attestationBody = z.strictObject({
  preset: presetSchema.optional(),
  claims: claimSettingsSchema.optional(),
});
const mintBody = z.strictObject({
  settings: claimSettingsSchema.optional(),
  claims: z.record(z.string(), z.unknown()).optional(),
  audience: z.string().optional(),
  nonces: z.array(z.string()).optional(),
  iat: z.number().int().optional(),
  nbf: z.number().int().optional(),
  exp: z.number().int().optional(),
  lifetimeSeconds: z.number().int().optional(),
  tokenType: z.enum(['OIDC', 'PKI', 'LIMITED_AWS', 'AWS_PRINCIPALTAGS']).optional(),
  header: z.record(z.string(), z.unknown()).optional(),
});

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const clean = (o: object): Partial<ClaimSettings> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

// The admin API as an emulator service.
export function createAdminService(deps: AdminDeps): EmulatorService {
  return {
    name: 'admin',
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (!authorized(req, deps.adminToken)) {
        sendGoogleError(
          res,
          401,
          'Admin token required: Authorization: Bearer <contents of <stateDir>/admin-token>.',
        );
        return;
      }
      const faults = /^\/admin\/faults(\/.*)?$/.exec(path);
      if (faults !== null) return handleFaultsAdmin(deps.faults, req, res, faults[1] ?? '');
      if (path === '/admin/seed') return handleSeedAdmin(deps.store, req, res, deps.now);
      const route = `${req.method ?? 'GET'} ${path}`;
      if (route === 'GET /admin/endpoints') return sendJson(res, 200, deps.endpoints());
      if (route === 'GET /admin/attestation') return sendJson(res, 200, describe(deps));
      if (route === 'POST /admin/tokens/expire') {
        deps.tokens.expireAll([deps.adminToken]);
        return sendJson(res, 200, { expired: true });
      }
      if (route !== 'POST /admin/attestation' && route !== 'POST /admin/attestation/mint') {
        return sendHtml404(res, path);
      }
      const body = await readJsonObject(req).catch(() => undefined);
      if (body === undefined) {
        return sendGoogleError(
          res,
          400,
          'The request body is not a JSON object (of at most 1 MiB).',
        );
      }
      if (route === 'POST /admin/attestation/mint') {
        const parsed = mintBody.safeParse(body);
        if (!parsed.success) return sendGoogleError(res, 400, zodMessage(parsed.error));
        const { settings, ...rest } = parsed.data;
        const options = {
          ...clean(rest),
          ...(settings === undefined ? {} : { settings: clean(settings) }),
        } as MintOptions;
        return sendJson(res, 200, { token: deps.authority.mint(options) });
      }
      const parsed = attestationBody.safeParse(body);
      if (!parsed.success) return sendGoogleError(res, 400, zodMessage(parsed.error));
      const claims = clean(parsed.data.claims ?? {});
      if (parsed.data.preset !== undefined) deps.authority.usePreset(parsed.data.preset, claims);
      else deps.authority.setClaims(claims);
      await deps.tokenFile.flush();
      sendJson(res, 200, describe(deps));
    },
  };
}

function describe(deps: AdminDeps): unknown {
  return {
    kid: deps.authority.kid,
    tokenFile: deps.tokenFile.path,
    settings: deps.authority.settings,
  };
}

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(body)';
  return `Invalid request at ${where}: ${issue?.message ?? 'invalid'}`;
}
