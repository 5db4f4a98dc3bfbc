// Runs one emulator service on its own loopback HTTP server and closes it without leaving
// open handles (idle keep-alive sockets are closed too).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorService } from './context.js';
import { sendGoogleError } from './http.js';

/** A listening service: its base URL and a close function. */
export interface ServedHttp {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

// Listens on host:port (0 = ephemeral); a handler crash answers 500 instead of hanging.
export async function serveHttp(
  service: EmulatorService,
  host: string,
  port: number,
): Promise<ServedHttp> {
  const server: Server = createServer((req, res) => {
    service.handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendGoogleError(res, 500, `Internal error in the emulator's ${service.name}: ${message}`);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostPart}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
