// iam.googleapis.com's create and get of Workload Identity pools and OIDC providers, and the
// creation of a service account, on the emulator's iamCredentials port for the emulator
// owner (admin token) only: what `gcloud iam workload-identity-pools create`,
// `… providers create-oidc` and `gcloud iam service-accounts create` send. A provider
// created here is checked as a config's is (mapping keys, CEL) and the STS uses it at once.
// Creates answer a finished long-running Operation, as Google's do once polled to the end.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { authenticate } from '../bearer-auth.js';
import { CelError } from '../cel/index.js';
import type { EmulatorContext } from '../context.js';
import { readJsonObject, sendGoogleError, sendJson } from '../http.js';
import type { ProviderModel } from '../model.js';
import { isOwner } from '../secret-manager/auth.js';
import { validateProviderExpressions } from '../sts/attribute-mapping.js';
import { poolName } from '../sts/provider-name.js';

const POOLS =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools(?:\/([^/]+)(\/providers(?:\/([^/]+))?)?)?$/;
const SERVICE_ACCOUNTS = /^\/v1\/projects\/([^/]+)\/serviceAccounts$/;
/** Pool and provider ids as Google accepts them. */
const WIF_ID = /^(?!gcp-)[a-z0-9-]{4,32}$/;
/** A service account id (the part before `@`). */
const ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;

/** True when `path` is one of these routes (then the request has been answered). */
export async function handleWorkloadIdentityApi(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  const pools = POOLS.exec(path);
  const accounts = pools === null ? SERVICE_ACCOUNTS.exec(path) : null;
  if (pools === null && accounts === null) return false;
  const principal = authenticate(
    ctx.tokens,
    req,
    res,
    { kind: 'pass' },
    { service: 'iam.googleapis.com', method: 'google.iam.v1.WorkloadIdentityPools' },
  );
  if (principal === undefined) return true;
  if (!isOwner(principal)) {
    sendGoogleError(res, 403, 'Permission denied on resource (or it may not exist).', {
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
    });
    return true;
  }
  const url = new URL(req.url ?? '/', 'http://x');
  const body = req.method === 'POST' ? await readJsonObject(req) : {};
  if (body === undefined) {
    sendGoogleError(res, 400, 'Invalid JSON payload received.');
    return true;
  }
  const project = decodeURIComponent((pools ?? accounts)![1]!);
  const number = ctx.store.projectNumber(project);
  if (number === undefined) {
    sendGoogleError(res, 403, `Permission denied on resource project ${project}.`, {
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
    });
    return true;
  }
  if (accounts !== null) {
    if (req.method !== 'POST') return notFound(res);
    createServiceAccount(ctx, res, project, body);
    return true;
  }
  const [, , location, pool, providers, provider] = pools!;
  if (location !== 'global') {
    sendGoogleError(res, 400, 'Workload Identity pools live in location global.');
    return true;
  }
  const route = `${req.method ?? 'GET'} ${addressed(pool, providers, provider)}`;
  switch (route) {
    case 'POST pools':
      createPool(ctx, res, number, url.searchParams.get('workloadIdentityPoolId'));
      return true;
    case 'POST providers':
      createProvider(
        ctx,
        res,
        number,
        pool!,
        url.searchParams.get('workloadIdentityPoolProviderId'),
        body,
      );
      return true;
    case 'GET pool':
    case 'GET provider':
      getResource(ctx, res, number, pool!, provider);
      return true;
    default:
      return notFound(res);
  }
}

/** What a pools path names: the pools, one pool, its providers, or one provider. */
function addressed(pool?: string, providers?: string, provider?: string): string {
  if (pool === undefined) return 'pools';
  if (providers === undefined) return 'pool';
  return provider === undefined ? 'providers' : 'provider';
}

function notFound(res: ServerResponse): true {
  sendGoogleError(res, 404, 'Requested entity was not found.');
  return true;
}

function operation(res: ServerResponse, resource: Record<string, unknown>): void {
  const name = `${String(resource.name)}/operations/${randomBytes(8).toString('hex')}`;
  sendJson(res, 200, { name, done: true, response: resource });
}

function renderPool(projectNumber: string, poolId: string): Record<string, unknown> {
  return { name: poolName(projectNumber, poolId), state: 'ACTIVE', disabled: false };
}

function renderProvider(p: ProviderModel): Record<string, unknown> {
  return {
    name: `${poolName(p.projectNumber, p.poolId)}/providers/${p.providerId}`,
    state: 'ACTIVE',
    disabled: p.disabled === true,
    attributeMapping: p.attributeMapping,
    ...(p.attributeCondition === undefined ? {} : { attributeCondition: p.attributeCondition }),
    oidc: {
      issuerUri: p.issuerUri ?? '',
      ...(p.allowedAudiences === undefined ? {} : { allowedAudiences: p.allowedAudiences }),
    },
  };
}

function getResource(
  ctx: EmulatorContext,
  res: ServerResponse,
  number: string,
  pool: string,
  provider: string | undefined,
): void {
  if (provider === undefined) {
    if (!ctx.store.hasPool(number, pool)) return void notFound(res);
    return sendJson(res, 200, renderPool(number, pool));
  }
  const found = ctx.store.findProvider(number, pool, provider);
  if (found === undefined) return void notFound(res);
  sendJson(res, 200, renderProvider(found));
}

function createPool(
  ctx: EmulatorContext,
  res: ServerResponse,
  number: string,
  id: string | null,
): void {
  if (id === null || !WIF_ID.test(id)) {
    return sendGoogleError(res, 400, `Invalid workloadIdentityPoolId: 4 to 32 of a-z, 0-9, -.`);
  }
  if (ctx.store.hasPool(number, id)) {
    return sendGoogleError(res, 409, 'Requested entity already exists');
  }
  ctx.store.pools.push({ projectNumber: number, poolId: id });
  operation(res, renderPool(number, id));
}

function createProvider(
  ctx: EmulatorContext,
  res: ServerResponse,
  number: string,
  pool: string,
  id: string | null,
  body: Record<string, unknown>,
): void {
  if (id === null || !WIF_ID.test(id)) {
    return sendGoogleError(
      res,
      400,
      'Invalid workloadIdentityPoolProviderId: 4 to 32 of a-z, 0-9, -.',
    );
  }
  if (!ctx.store.hasPool(number, pool)) return void notFound(res);
  if (ctx.store.findProvider(number, pool, id) !== undefined) {
    return sendGoogleError(res, 409, 'Requested entity already exists');
  }
  const parsed = parseProvider(number, pool, id, body);
  if (typeof parsed === 'string') return sendGoogleError(res, 400, parsed);
  ctx.store.providers.push(parsed);
  operation(res, renderProvider(parsed));
}

const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'string');

/** The provider of a create request, or the INVALID_ARGUMENT message. */
function parseProvider(
  number: string,
  pool: string,
  id: string,
  body: Record<string, unknown>,
): ProviderModel | string {
  const oidc = body.oidc as { issuerUri?: unknown; allowedAudiences?: unknown } | undefined;
  if (typeof oidc !== 'object' || oidc === null || typeof oidc.issuerUri !== 'string') {
    return 'An OIDC provider needs oidc.issuerUri.';
  }
  const audiences = oidc.allowedAudiences;
  if (
    audiences !== undefined &&
    !(Array.isArray(audiences) && audiences.every((a) => typeof a === 'string'))
  ) {
    return 'oidc.allowedAudiences must be a list of strings.';
  }
  if (!isStringMap(body.attributeMapping)) return 'attributeMapping must map names to expressions.';
  const condition = body.attributeCondition;
  if (condition !== undefined && typeof condition !== 'string') {
    return 'attributeCondition must be a string.';
  }
  const model: ProviderModel = {
    projectNumber: number,
    poolId: pool,
    providerId: id,
    issuerUri: oidc.issuerUri,
    attributeMapping: { ...body.attributeMapping },
    ...(condition === undefined ? {} : { attributeCondition: condition }),
    ...(audiences === undefined ? {} : { allowedAudiences: audiences }),
    ...(body.disabled === true ? { disabled: true } : {}),
  };
  try {
    validateProviderExpressions(model);
  } catch (error) {
    if (error instanceof CelError) return `Invalid provider: ${error.message}`;
    throw error;
  }
  return model;
}

function createServiceAccount(
  ctx: EmulatorContext,
  res: ServerResponse,
  project: string,
  body: Record<string, unknown>,
): void {
  const id = body.accountId;
  if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) {
    return sendGoogleError(
      res,
      400,
      'accountId must be 6 to 30 of a-z, 0-9, -, starting with a letter.',
    );
  }
  const projectId = [...ctx.store.projects.values()].find(
    (p) => p.id === project || p.number === project,
  )?.id;
  const email = `${id}@${projectId ?? project}.iam.gserviceaccount.com`;
  if (ctx.store.serviceAccounts.has(email)) {
    return sendGoogleError(
      res,
      409,
      `Service account ${id} already exists within project projects/${project}.`,
    );
  }
  ctx.store.serviceAccounts.set(email, { email, bindings: [] });
  sendJson(res, 200, {
    name: `projects/${projectId ?? project}/serviceAccounts/${email}`,
    projectId: projectId ?? project,
    email,
    uniqueId: randomDigits(21),
  });
}

/** A decimal id of `n` digits, as Google's numeric ids look. */
function randomDigits(n: number): string {
  return [...randomBytes(n)].map((b, i) => (i === 0 ? 1 + (b % 9) : b % 10)).join('');
}
