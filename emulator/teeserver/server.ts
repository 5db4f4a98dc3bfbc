// The launcher's token server on a unix socket (`<stateDir>/teeserver.sock`):
// `GET /v1/token` answers a fresh default token, `POST /v1/token` a custom one.
// Answers are plain text like the launcher's, whatever the Host header.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, rm } from 'node:fs/promises';
import type { AttestationAuthority } from '../attestation/authority.js';
import type { FaultInjector } from '../faults-contract.js';
import { readBody } from '../http.js';
import type { LauncherFailures } from './failures.js';
import { parseTokenOptions } from './token-options.js';

export const SOCKET_NAME = 'teeserver.sock';

function reply(res: ServerResponse, status: number, body: string): void {
  // The launcher sets text/html and writes the bare token or error text (no newline).
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function handle(
  authority: AttestationAuthority,
  faults: FaultInjector,
  failures: LauncherFailures | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== '/v1/token') {
    reply(res, 404, '404 page not found\n');
    return;
  }
  const decision = await faults.intercept('teeserver.token', res);
  if (decision.kind === 'handled') return;
  if (req.method === 'GET') {
    // The attestation runs before the token is minted; it may fail (failures.ts).
    const failed = failures?.take('GET');
    if (failed !== undefined) return reply(res, 500, failed);
    reply(res, 200, authority.mintDefault());
    return;
  }
  if (req.method !== 'POST') {
    reply(res, 400, `TEE server received an invalid HTTP method: ${req.method ?? ''}`);
    return;
  }
  const body = (await readBody(req)).toString('utf8');
  const parsed = parseTokenOptions(body);
  if (!parsed.ok) {
    reply(res, parsed.status, parsed.message);
    return;
  }
  const failed = failures?.take('POST');
  if (failed !== undefined) return reply(res, 500, failed);
  const { audience, nonces, tokenType } = parsed.options;
  reply(res, 200, authority.mint({ audience, nonces, tokenType }));
}

/** A listening teeserver; `close()` stops it and removes the socket file. */
export interface TeeServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

// Listens on `socketPath` (a stale socket file is replaced), mode 0666 like the launcher's.
export async function startTeeServer(
  socketPath: string,
  authority: AttestationAuthority,
  faults: FaultInjector,
  failures?: LauncherFailures,
): Promise<TeeServer> {
  await rm(socketPath, { force: true });
  const server: Server = createServer((req, res) => {
    handle(authority, faults, failures, req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(socketPath, 0o666);
  return {
    socketPath,
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(socketPath, { force: true });
    },
  };
}
