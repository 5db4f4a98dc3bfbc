// teeinit's calls to Google (STS, IAM credentials, the metadata server) never go through
// a proxy: gaxios would otherwise pick one from HTTPS_PROXY/HTTP_PROXY (and NO_PROXY) on
// every request, and whoever sets the environment would see, hold or answer them. This
// drops the proxy agent gaxios chose; a config that accepts a proxy variable
// (`environment.accept`) accepts it for the application, never for teeinit's own calls.
import type { gaxios } from 'google-auth-library';

const configured = new WeakSet<gaxios.Gaxios>();

/** Adds, once per instance, an interceptor that removes the agent gaxios took from the proxy variables. */
export function sendDirect(instance: gaxios.Gaxios): gaxios.Gaxios {
  if (configured.has(instance)) return instance;
  configured.add(instance);
  instance.interceptors.request.add({
    resolved: (config) => {
      // gaxios sets `agent` only for a proxy or a client certificate; teeinit uses no
      // client certificate, so any agent here is a proxy's.
      delete config.agent;
      return Promise.resolve(config);
    },
  });
  return instance;
}
