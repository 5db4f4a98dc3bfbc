// The attestation issuer's public endpoints: OIDC discovery, the JWKS and the PKI root
// certificate. The `issuer` is Google's string; the `jwks_uri` points back at this emulator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorService } from '../context.js';
import { sendHtml404, sendJson, sendText } from '../http.js';
import type { AttestationAuthority } from './authority.js';
import { ISSUER } from './claims.js';

export const JWKS_PATH = '/jwks';
/** Where Google publishes the root of PKI-type tokens (here: the emulator's test root). */
export const ROOT_PATH = '/.well-known/confidential_space_root.crt';
/** The JWKS path Google's discovery document names, served as an alias. */
const GOOGLE_JWKS_PATH =
  '/service_accounts/v1/metadata/jwk/signer@confidentialspace-sign.iam.gserviceaccount.com';

// Serves discovery and keys; `baseUrl()` is this service's own URL (known after listen).
export function createIssuerService(
  authority: AttestationAuthority,
  baseUrl: () => string,
): EmulatorService {
  return {
    name: 'issuer',
    handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method !== 'GET') {
        sendHtml404(res, path);
      } else if (path === '/.well-known/openid-configuration') {
        sendJson(res, 200, {
          issuer: ISSUER,
          jwks_uri: baseUrl() + JWKS_PATH,
          subject_types_supported: ['public'],
          response_types_supported: ['id_token'],
          claims_supported: [
            'sub',
            'aud',
            'exp',
            'iat',
            'iss',
            'jti',
            'nbf',
            'dbgstat',
            'eat_nonce',
            'google_service_accounts',
            'hwmodel',
            'oemid',
            'secboot',
            'submods',
            'swname',
            'swversion',
          ],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid'],
        });
      } else if (path === JWKS_PATH || path === GOOGLE_JWKS_PATH) {
        sendJson(res, 200, authority.jwks());
      } else if (path === ROOT_PATH) {
        sendText(res, 200, authority.rootPem);
      } else {
        sendHtml404(res, path);
      }
      return Promise.resolve();
    },
  };
}
