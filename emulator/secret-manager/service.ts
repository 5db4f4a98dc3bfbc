// The emulator's Secret Manager (REST v1): routes requests to their method after the fault
// injector and authentication, on global and regional names alike.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from '../bearer-auth.js';
import type { EmulatorContext, EmulatorService } from '../context.js';
import type { RouteId } from '../faults-contract.js';
import { sendGoogleError, sendHtml404 } from '../http.js';
import type { SmCall } from './call.js';
import { getIamPolicy, setIamPolicy } from './iam.js';
import { parseSmPath, type SmPath } from './names.js';
import { createSecret, deleteSecret, getSecret, listSecrets, patchSecret } from './secrets.js';
import {
  accessVersion,
  addVersion,
  changeVersionState,
  getVersion,
  listVersions,
} from './versions.js';

interface Operation {
  /** RPC name, used in ErrorInfo metadata. */
  readonly rpc: string;
  readonly route: RouteId;
  readonly run: (call: SmCall) => void | Promise<void>;
}

const op = (
  rpc: string,
  run: Operation['run'],
  route: RouteId = 'secretmanager.other',
): Operation => ({
  rpc,
  route,
  run,
});

/** Maps (path shape, HTTP method) to the API method; undefined = Google's HTML 404. */
function resolveOperation(path: SmPath, method: string): Operation | undefined {
  const { secretId, versions, version, verb } = path;
  if (secretId === undefined) {
    if (verb !== undefined) return undefined;
    if (method === 'GET') return op('ListSecrets', listSecrets);
    if (method === 'POST') return op('CreateSecret', createSecret);
    return undefined;
  }
  if (!versions) {
    if (verb === undefined) {
      if (method === 'GET') return op('GetSecret', getSecret);
      if (method === 'PATCH') return op('UpdateSecret', patchSecret);
      if (method === 'DELETE') return op('DeleteSecret', deleteSecret);
      return undefined;
    }
    if (verb === 'addVersion' && method === 'POST') return op('AddSecretVersion', addVersion);
    if (verb === 'getIamPolicy' && (method === 'GET' || method === 'POST')) {
      return op('GetIamPolicy', getIamPolicy);
    }
    if (verb === 'setIamPolicy' && method === 'POST') return op('SetIamPolicy', setIamPolicy);
    return undefined;
  }
  if (version === undefined) {
    return verb === undefined && method === 'GET'
      ? op('ListSecretVersions', listVersions)
      : undefined;
  }
  if (verb === undefined) return method === 'GET' ? op('GetSecretVersion', getVersion) : undefined;
  if (verb === 'access' && method === 'GET') {
    return op('AccessSecretVersion', accessVersion, 'secretmanager.access');
  }
  if (method !== 'POST') return undefined;
  if (verb === 'disable') return op('DisableSecretVersion', changeVersionState);
  if (verb === 'enable') return op('EnableSecretVersion', changeVersionState);
  if (verb === 'destroy') return op('DestroySecretVersion', changeVersionState);
  return undefined;
}

async function handle(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://secretmanager.googleapis.com');
  const path = parseSmPath(url.pathname);
  const operation = path && resolveOperation(path, req.method ?? 'GET');
  if (path === undefined || operation === undefined) return sendHtml404(res, url.pathname);
  const decision = await ctx.faults.intercept(operation.route, res);
  if (decision.kind === 'handled') return;
  const principal = authenticate(ctx.tokens, req, res, decision, {
    service: 'secretmanager.googleapis.com',
    method: `google.cloud.secretmanager.v1.SecretManagerService.${operation.rpc}`,
  });
  if (principal === undefined) return;
  const alt = url.searchParams.get('$alt') ?? '';
  const call: SmCall = {
    ctx,
    req,
    res,
    path,
    query: url.searchParams,
    principal,
    decision,
    render: { numericEnums: alt.includes('enum-encoding=int') },
  };
  try {
    await operation.run(call);
  } catch {
    if (!res.headersSent) sendGoogleError(res, 500, 'Internal error encountered.');
    else res.destroy();
  }
}

/** Secret Manager over the shared emulator context (mounted on the emulator's one port). */
export function createSecretManagerService(ctx: EmulatorContext): EmulatorService {
  return { name: 'secretmanager', handle: (req, res) => handle(ctx, req, res) };
}
