// Optional status endpoint: JSON counters over plain HTTP, loopback only, GET only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TeeinitError } from '../errors/index.js';
import { formatAddress, isLoopback, parseAddress } from './address.js';
import type { ProxyStats } from './types.js';

/** Why: health checks and tests poll counters instead of sleeping. */
export async function startStatusServer(
  proxyName: string,
  address: string,
  stats: () => ProxyStats,
): Promise<{ server: Server; address: string }> {
  const parsed = parseAddress(address, `proxies.${proxyName}.status`);
  if (parsed.kind !== 'tcp' || !isLoopback(parsed)) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `proxies.${proxyName}.status must be a loopback host:port; got "${address}".`,
    );
  }
  const server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const body = JSON.stringify(stats());
    res
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(body);
  });
  server.requestTimeout = 5000;
  server.headersTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new TeeinitError(
          'TEEINIT_PROXY_LISTEN',
          `Proxy "${proxyName}": status endpoint cannot listen on ${address}.`,
          {
            cause,
          },
        ),
      ),
    );
    server.listen(parsed.port, parsed.host, () => resolve());
  });
  const info = server.address() as AddressInfo;
  return { server, address: formatAddress({ kind: 'tcp', host: parsed.host, port: info.port }) };
}
