// The teeinit-wide health and status endpoint (plain HTTP, GET/HEAD only): `/healthz` (is
// teeinit supervising), `/readyz` (is everything up), and on loopback only `/status` (JSON:
// phase, processes, certificate dates, refresh results, proxy counters) and `/metrics` (the
// same in the Prometheus text format). It listens from just after the config is loaded
// until after the secret files are removed.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAddress } from '../config/address.js';
import { TeeinitError } from '../errors/index.js';
import type { PlannedStatus } from '../plan/types.js';
import { EXPOSITION_CONTENT_TYPE, formatExposition } from './prometheus-text.js';
import { statusMetrics } from './status-metrics.js';
import type { StatusState } from './status-state.js';

/** Handle of the listening endpoint. */
export interface StatusEndpoint {
  /** The address listened on (port resolved when 0), e.g. "127.0.0.1:8089". */
  readonly address: string;
  /** Whether `/status` and `/metrics` are served (loopback only). */
  readonly detailed: boolean;
  /** The paths served, as the log and the plan show them. */
  readonly paths: readonly string[];
  /** Stops listening and drops open connections; resolves when closed. */
  close(): Promise<void>;
}

/** Why: request/headers timeouts keep a slow client from holding a socket (like the proxy's). */
const TIMEOUT_MS = 5000;

/**
 * Why: a load balancer or an orchestrator checks health without reading logs. Serves the
 * paths the plan lists (`/status` and `/metrics` on loopback only). Rejects with
 * TEEINIT_STATUS_LISTEN when the address cannot be listened on (fail closed).
 */
export async function startStatusEndpoint(
  planned: PlannedStatus,
  state: StatusState,
): Promise<StatusEndpoint> {
  const { listen, paths } = planned;
  const parsed = parseAddress(listen);
  if (parsed === undefined || parsed.kind !== 'tcp') {
    throw new TeeinitError('TEEINIT_CONFIG_INVALID', `status.listen: expected "host:port".`, {
      fields: { path: 'status.listen' },
    });
  }
  const detailed = paths.includes('/status');
  const server = createServer((req, res) => {
    // Whatever a request holds, it never throws out of here: that would end teeinit.
    try {
      answer(req, res, state, paths);
    } catch {
      if (!res.headersSent) send(res, req, 500, 'internal error\n');
      else res.destroy();
    }
  });
  server.requestTimeout = TIMEOUT_MS;
  server.headersTimeout = TIMEOUT_MS;
  server.keepAliveTimeout = TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new TeeinitError(
          'TEEINIT_STATUS_LISTEN',
          `status.listen: cannot listen on ${listen}${cause.code === 'EADDRINUSE' ? ' (address in use)' : ''}.`,
          { cause, fields: { address: listen, errno: cause.code ?? '' } },
        ),
      ),
    );
    server.listen(parsed.port, parsed.host, () => resolve());
  });
  // Listening: a later server error (EMFILE on accept, say) must not become an uncaught
  // exception that takes teeinit and its supervision down; the next request tries again.
  server.removeAllListeners('error');
  server.on('error', () => undefined);
  const info = server.address() as AddressInfo;
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  let closed: Promise<void> | undefined;
  return {
    address: `${host}:${info.port}`,
    detailed,
    paths,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function answer(
  req: IncomingMessage,
  res: ServerResponse,
  state: StatusState,
  paths: readonly string[],
): void {
  // The request target as sent, without its query: no URL parsing (a target such as `//`
  // or `http://[` is not a valid URL, and is simply not one of our paths).
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  if (!paths.includes(path)) {
    send(res, req, 404, 'not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, req, 405, 'method not allowed\n');
    return;
  }
  const phase = state.phase;
  if (path === '/healthz') {
    send(res, req, phase === 'stopping' ? 503 : 200, phase === 'stopping' ? 'stopping\n' : 'ok\n');
  } else if (path === '/readyz') {
    const readiness = state.readiness;
    send(res, req, readiness === 'ok' ? 200 : 503, `${readiness}\n`);
  } else if (path === '/metrics') {
    const body = formatExposition(statusMetrics(state.snapshot()));
    send(res, req, 200, body, EXPOSITION_CONTENT_TYPE);
  } else {
    send(res, req, 200, JSON.stringify(state.snapshot()) + '\n', 'application/json');
  }
}

function send(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
