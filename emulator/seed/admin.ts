// `POST /admin/seed`: applies a seed document (JSON, payloads inline) to a running emulator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TeeinitError } from '../../src/errors/index.js';
import { readBody, sendGoogleError, sendJson } from '../http.js';
import type { EmulatorStore } from '../store.js';
import { applySeed, parseSeedDocument } from './apply.js';

/** Serves `POST /admin/seed`; answers `{"projects":N,"secrets":M}` or a 400 naming the key. */
export async function handleSeedAdmin(
  store: EmulatorStore,
  req: IncomingMessage,
  res: ServerResponse,
  now: () => number,
): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendGoogleError(res, 405, 'Use POST /admin/seed with a JSON seed document.', {
      status: 'UNIMPLEMENTED',
    });
  }
  let input: unknown;
  try {
    input = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    return sendGoogleError(res, 400, 'The seed body is not valid JSON (or exceeds 1 MiB).');
  }
  try {
    const seed = parseSeedDocument(input, { allowDataFile: false });
    // A running emulator: binding changes take effect after the IAM propagation delay.
    applySeed(store, seed, now, { propagate: true });
    sendJson(res, 200, {
      projects: seed.projects.length,
      secrets: seed.secrets.length,
      serviceAccounts: seed.serviceAccounts?.length ?? 0,
      iamPropagationSeconds: store.iam.delaySeconds,
    });
  } catch (error) {
    if (!(error instanceof TeeinitError)) throw error;
    sendGoogleError(res, 400, error.message);
  }
}
