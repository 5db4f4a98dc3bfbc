// GCE metadata server subset a Confidential Space workload reads: project id/number,
// instance id/zone, the default service account's e-mail and access token. Requires
// `Metadata-Flavor: Google` and answers with it, like the real server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClaimSettings } from '../attestation/claims.js';
import type { EmulatorContext, EmulatorService } from '../context.js';
import { notFoundPage } from '../http.js';
import { DEFAULT_ACCESS_TOKEN_SECONDS } from '../access-token-policy.js';

const PREFIX = '/computeMetadata/v1';

function send(res: ServerResponse, status: number, body: string, type = 'application/text'): void {
  res.writeHead(status, {
    'metadata-flavor': 'Google',
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    server: 'Metadata Server for VM',
  });
  res.end(body);
}

// The metadata server; `settings()` gives the current claims (VM and workload identity).
// Its tokens live `accessTokenLifetimeSeconds` and, like Google's cached ones, report a
// second less in `expires_in`.
export function createMetadataService(
  ctx: EmulatorContext,
  settings: () => ClaimSettings,
  accessTokenLifetimeSeconds = DEFAULT_ACCESS_TOKEN_SECONDS,
): EmulatorService {
  const expiresIn = Math.max(1, accessTokenLifetimeSeconds - 1);
  return {
    name: 'metadata',
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (req.method !== 'GET') {
        send(res, 405, 'Method not allowed');
        return;
      }
      if (path === '/' || path === '') {
        send(res, 200, 'computeMetadata/\n');
        return;
      }
      const flavor = req.headers['metadata-flavor'];
      if (flavor !== 'Google') {
        send(
          res,
          403,
          'Missing required header: "Metadata-Flavor": "Google"\n',
          'text/html; charset=UTF-8',
        );
        return;
      }
      const decision = await ctx.faults.intercept('metadata.get', res);
      if (decision.kind === 'handled') return;
      const s = settings();
      const email = s.googleServiceAccounts[0] ?? 'default';
      const values: Readonly<Record<string, () => string>> = {
        [`${PREFIX}/project/project-id`]: () => s.projectId,
        [`${PREFIX}/project/numeric-project-id`]: () => s.projectNumber,
        [`${PREFIX}/instance/id`]: () => s.instanceId,
        [`${PREFIX}/instance/name`]: () => s.instanceName,
        [`${PREFIX}/instance/hostname`]: () =>
          `${s.instanceName}.${s.zone}.c.${s.projectId}.internal`,
        [`${PREFIX}/instance/zone`]: () => `projects/${s.projectNumber}/zones/${s.zone}`,
        [`${PREFIX}/instance/service-accounts`]: () => `default/\n${email}/\n`,
        [`${PREFIX}/instance`]: () => 'attributes/\nhostname\nid\nname\nservice-accounts/\nzone\n',
        [`${PREFIX}/project`]: () => 'numeric-project-id\nproject-id\n',
        [`${PREFIX}/instance/attributes`]: () => '',
      };
      const fixed = values[path];
      if (fixed !== undefined) {
        send(res, 200, fixed());
        return;
      }
      const sa =
        /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/(email|token|scopes|aliases)$/.exec(
          path,
        );
      if (sa !== null && (sa[1] === 'default' || sa[1] === email)) {
        if (sa[2] === 'email') send(res, 200, email);
        else if (sa[2] === 'scopes')
          send(res, 200, 'https://www.googleapis.com/auth/cloud-platform\n');
        else if (sa[2] === 'aliases') send(res, 200, 'default\n');
        else {
          const issued = ctx.tokens.issue(
            { type: 'serviceAccount', subject: email, attributes: {} },
            expiresIn,
          );
          const body = JSON.stringify({
            access_token: issued.token,
            expires_in: expiresIn,
            token_type: 'Bearer',
          });
          send(res, 200, body, 'application/json');
        }
        return;
      }
      send(res, 404, notFoundPage(url.pathname), 'text/html; charset=UTF-8');
    },
  };
}
