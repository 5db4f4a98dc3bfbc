// The launcher's teeserver socket: `GET /v1/token` answers a fresh default-audience token.
// Used when the token file is not mounted (or when the config asks for it). Each call runs a
// remote attestation; when it fails the launcher answers 500 (`failed to refresh attestation
// agent: …`), an outage the identity stage retries until the start-up deadline.
import { request } from 'node:http';
import { TeeinitError } from '../errors/index.js';
import { classifyLauncher, classifyTransport, withFailure } from '../retry/index.js';
import { assertTokenFresh } from './jwt-expiry.js';

const MAX_BODY = 64 * 1024;

export interface TeeserverOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly now?: number;
}

/** Asks the teeserver over its unix socket for the default attestation token. */
export async function readTeeserverToken(
  socketPath: string,
  options: TeeserverOptions,
): Promise<string> {
  const { status, body } = await getOverSocket(socketPath, options);
  if (status !== 200) {
    const detail = body.trim().slice(0, 200);
    throw withFailure(
      new TeeinitError(
        'TEEINIT_TOKEN_UNAVAILABLE',
        `The teeserver at ${socketPath} answered HTTP ${status} to GET /v1/token: ${detail}`,
        { fields: { socket: socketPath, status } },
      ),
      classifyLauncher(status),
    );
  }
  const token = body.trim();
  if (token.length === 0) {
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The teeserver at ${socketPath} answered an empty token.`,
      { fields: { socket: socketPath } },
    );
  }
  assertTokenFresh(token, `teeserver ${socketPath}`, options.now);
  return token;
}

function getOverSocket(
  socketPath: string,
  options: TeeserverOptions,
): Promise<{ status: number; body: string }> {
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  return new Promise((resolve, reject) => {
    // Whatever fails first (request or response stream), a caller's abort wins, then the
    // per-call timeout, then the error itself.
    const fail = (what: string, cause?: unknown, errno?: string): void => {
      if (options.signal?.aborted === true) {
        reject(options.signal.reason as Error);
        return;
      }
      const reason = signal.aborted ? `no answer within ${options.timeoutMs} ms` : what;
      reject(
        withFailure(
          new TeeinitError(
            'TEEINIT_TOKEN_UNAVAILABLE',
            `The teeserver at ${socketPath} cannot be reached: ${reason}.`,
            { cause, fields: { socket: socketPath } },
          ),
          // No socket at all is a misconfiguration; a timeout or a reset, an outage.
          signal.aborted ? 'outage' : classifyTransport(errno),
        ),
      );
    };
    const req = request(
      { socketPath, path: '/v1/token', method: 'GET', host: 'localhost', signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) {
            res.destroy();
            fail(`answer larger than ${MAX_BODY} bytes`);
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (error) => {
          fail(error.message, error);
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      fail(error.code ?? error.message, error, error.code);
    });
    req.end();
  });
}
