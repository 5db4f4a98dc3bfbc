// `GET /admin/iam` answers the IAM propagation delay; `POST /admin/iam
// {"propagationSeconds": N}` changes it for binding changes made from then on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonObject, sendGoogleError, sendJson } from '../http.js';
import type { EmulatorStore } from '../store.js';
import { MAX_PROPAGATION_SECONDS } from './propagation.js';

/** Serves `/admin/iam`. */
export async function handleIamAdmin(
  store: EmulatorStore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method === 'POST') {
    const body = await readJsonObject(req).catch(() => undefined);
    const seconds = body?.propagationSeconds;
    const keys = Object.keys(body ?? {});
    if (
      typeof seconds !== 'number' ||
      !(seconds >= 0 && seconds <= MAX_PROPAGATION_SECONDS) ||
      keys.length !== 1
    ) {
      return sendGoogleError(
        res,
        400,
        `Expected {"propagationSeconds": 0..${MAX_PROPAGATION_SECONDS}}.`,
      );
    }
    store.iam.setDelaySeconds(seconds);
  } else if (req.method !== 'GET') {
    res.setHeader('allow', 'GET, POST');
    return sendGoogleError(res, 405, 'Use GET or POST /admin/iam.', { status: 'UNIMPLEMENTED' });
  }
  sendJson(res, 200, { propagationSeconds: store.iam.delaySeconds });
}
