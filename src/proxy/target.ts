// Dialing the plaintext target of a server proxy, with a connect deadline.
import { connect, type Socket } from 'node:net';
import type { Address } from './address.js';

/** Why: a target that never answers must not hold the peer forever (connectTimeout). */
export function dialTarget(target: Address, connectTimeout: number): Socket {
  const socket =
    target.kind === 'unix'
      ? connect({ path: target.path, allowHalfOpen: true })
      : connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
  if (connectTimeout > 0) {
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error('connect timeout');
      error.code = 'ETIMEDOUT';
      socket.destroy(error);
    }, connectTimeout);
    timer.unref();
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  }
  return socket;
}
