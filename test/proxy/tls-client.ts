// A small Node TLS client for the tests: send bytes, half-close, collect the reply.
import { connect, type ConnectionOptions } from 'node:tls';

export interface Exchange {
  readonly data: Buffer;
  readonly error?: string;
  readonly authorized: boolean;
}

/** Connects, writes `payload`, ends its side, and resolves with everything read until close. */
export function exchange(
  port: number,
  options: ConnectionOptions,
  payload: Buffer | string,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let authorized = false;
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      authorized = socket.authorized;
      socket.end(payload);
    });
    socket.setTimeout(10000, () => socket.destroy(new Error('client timeout')));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () =>
      resolve({
        data: Buffer.concat(chunks),
        authorized,
        ...(error === undefined ? {} : { error }),
      }),
    );
  });
}
