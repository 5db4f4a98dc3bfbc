// Loopback ports for integration tests: a port for servers that cannot listen on port 0
// (redis, postgres, the CLI under test), and a probe for "is something listening".
import { createConnection } from 'node:net';

export { freePort } from '../../scripts/loopback-port.js';

/** True when something accepts TCP connections on 127.0.0.1:port (1 s connect timeout). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
