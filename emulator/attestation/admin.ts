// The attestation part of the admin API (mounted by emulator/admin.ts): read the current
// claim settings, switch preset or change claims (the token file is rewritten before the
// answer), and mint a token with chosen claims, times and header.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { claimSettingsSchema, presetSchema } from '../config.js';
import { readJsonObject, sendGoogleError, sendHtml404, sendJson } from '../http.js';
import { describeFirstIssue, REPORT_INPUT } from '../zod-issue.js';
import type { AttestationAuthority, MintOptions } from './authority.js';
import type { ClaimSettings } from './claims.js';
import type { TokenFileWriter } from './token-file.js';

/** What the attestation routes act on. */
export interface AttestationAdminDeps {
  readonly authority: AttestationAuthority;
  readonly tokenFile: TokenFileWriter;
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

const clean = (o: object): Partial<ClaimSettings> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

// Serves `GET|POST /admin/attestation` and `POST /admin/attestation/mint`.
export async function handleAttestationAdmin(
  deps: AttestationAdminDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${path}`;
  if (route === 'GET /admin/attestation') return sendJson(res, 200, describe(deps));
  if (route !== 'POST /admin/attestation' && route !== 'POST /admin/attestation/mint') {
    return sendHtml404(res, path);
  }
  const body = await readJsonObject(req).catch(() => undefined);
  if (body === undefined) {
    return sendGoogleError(res, 400, 'The request body is not a JSON object (of at most 1 MiB).');
  }
  if (route === 'POST /admin/attestation/mint') {
    const parsed = mintBody.safeParse(body, REPORT_INPUT);
    if (!parsed.success) return sendInvalid(res, parsed.error);
    const { settings, ...rest } = parsed.data;
    const options = {
      ...clean(rest),
      ...(settings === undefined ? {} : { settings: clean(settings) }),
    } as MintOptions;
    return sendJson(res, 200, { token: deps.authority.mint(options) });
  }
  const parsed = attestationBody.safeParse(body, REPORT_INPUT);
  if (!parsed.success) return sendInvalid(res, parsed.error);
  const claims = clean(parsed.data.claims ?? {});
  if (parsed.data.preset !== undefined) deps.authority.usePreset(parsed.data.preset, claims);
  else deps.authority.setClaims(claims);
  await deps.tokenFile.flush();
  sendJson(res, 200, describe(deps));
}

function sendInvalid(res: ServerResponse, error: z.ZodError): void {
  sendGoogleError(res, 400, `Invalid request: ${describeFirstIssue(error)}`);
}

function describe(deps: AttestationAdminDeps): unknown {
  return {
    kid: deps.authority.kid,
    tokenFile: deps.tokenFile.path,
    settings: deps.authority.settings,
  };
}
