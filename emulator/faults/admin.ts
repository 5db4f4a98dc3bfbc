// The fault rules' admin endpoint (mounted by the emulator under `/admin/faults`):
// GET lists the active rules, POST adds one or many, DELETE clears them (or one by id).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TeeinitError } from '../../src/errors/index.js';
import { readBody, sendGoogleError, sendJson } from '../http.js';
import { parseFaultRules, type FaultController } from './controller.js';

/** Serves `/admin/faults[/ID]`; `subpath` is what follows `/admin/faults` (may be empty). */
export async function handleFaultsAdmin(
  controller: FaultController,
  req: IncomingMessage,
  res: ServerResponse,
  subpath: string,
): Promise<void> {
  const id = subpath.replace(/^\/+|\/+$/g, '').split('?')[0] ?? '';
  const method = req.method ?? 'GET';
  if (id !== '') {
    if (method !== 'DELETE') return methodNotAllowed(res, method);
    if (!controller.remove(decodeURIComponent(id))) {
      return sendGoogleError(res, 404, `Fault rule [${id}] not found.`);
    }
    return sendJson(res, 200, { rules: controller.list() });
  }
  if (method === 'GET') return sendJson(res, 200, { rules: controller.list() });
  if (method === 'DELETE') {
    controller.clear();
    return sendJson(res, 200, { rules: [] });
  }
  if (method !== 'POST') return methodNotAllowed(res, method);
  let input: unknown;
  try {
    input = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    return sendGoogleError(res, 400, 'The fault rules body is not valid JSON.');
  }
  try {
    const rules = parseFaultRules(input);
    for (const rule of rules) controller.add(rule);
    sendJson(res, 200, { added: rules.map((r) => r.id), rules: controller.list() });
  } catch (error) {
    if (!(error instanceof TeeinitError)) throw error;
    sendGoogleError(res, 400, error.message);
  }
}

function methodNotAllowed(res: ServerResponse, method: string): void {
  res.setHeader('allow', 'GET, POST, DELETE');
  sendGoogleError(res, 405, `Method ${method} is not allowed on /admin/faults.`, {
    status: 'UNIMPLEMENTED',
  });
}
