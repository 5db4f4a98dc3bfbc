// `credentials: adc` — Application Default Credentials for local development: a
// credentials file (GOOGLE_APPLICATION_CREDENTIALS), gcloud's user credentials, or the GCE
// metadata server (GCE_METADATA_HOST points it at the emulator).
import { gaxios, GoogleAuth } from 'google-auth-library';
import { sendDirect } from './direct-requests.js';
import { CLOUD_PLATFORM_SCOPE } from './wif-client.js';

/** Fetches (and lets the library cache) an access token through ADC. */
export interface AdcClient {
  getAccessToken(): Promise<string>;
  forceRefresh(): Promise<string>;
}

/** One GoogleAuth per collaborator, so no two collaborators share a cached token. */
export function createAdcClient(): AdcClient {
  // A fixed projectId skips the library's project discovery (it execs gcloud and asks the
  // metadata server, seconds of start-up); teeinit never uses it: refs name their project.
  // No proxy, whatever the environment says: neither for the client's own calls (token
  // endpoints) nor for gcp-metadata's, which go through gaxios's shared instance.
  sendDirect(gaxios.instance);
  const auth = new GoogleAuth({
    scopes: [CLOUD_PLATFORM_SCOPE],
    projectId: 'teeinit-unused',
    clientOptions: { transporter: sendDirect(new gaxios.Gaxios()) },
  });
  const token = async (): Promise<string> => {
    const client = await auth.getClient();
    const answer = await client.getAccessToken();
    if (!answer.token) throw new Error('Application Default Credentials returned no access token');
    return answer.token;
  };
  return {
    getAccessToken: token,
    forceRefresh: async () => {
      const client = await auth.getClient();
      // Expired, other fields kept (Compute needs its placeholder refresh_token): every client
      // kind refreshes on the next getAccessToken().
      client.setCredentials({ ...client.credentials, expiry_date: 1 });
      return token();
    },
  };
}
