// Asks the launcher for a custom attestation token: `POST /v1/token` on its unix socket with
// `{audience, nonces, token_type}` (gcp-wire.md §1). Bounded in time and size.
import { request } from 'node:http';
import { TeeinitError } from '../errors/index.js';
import type { AttestTokenType } from '../config/types.js';

const MAX_BODY = 64 * 1024;

export interface CustomTokenRequest {
  readonly audience: string;
  readonly nonces: readonly string[];
  readonly tokenType: AttestTokenType;
}

// Resolves to the bare JWT; rejects with TEEINIT_TOKEN_UNAVAILABLE naming the socket.
export function requestCustomToken(
  socketPath: string,
  body: CustomTokenRequest,
  timeoutMs: number,
): Promise<string> {
  const payload = JSON.stringify({
    audience: body.audience,
    nonces: body.nonces,
    token_type: body.tokenType,
  });
  const fail = (reason: string, cause?: unknown): TeeinitError =>
    new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The teeserver at ${socketPath} gave no custom token: ${reason}.`,
      { fields: { socket: socketPath }, ...(cause === undefined ? {} : { cause }) },
    );
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const req = request(
      {
        socketPath,
        path: '/v1/token',
        method: 'POST',
        host: 'localhost',
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) {
            res.destroy();
            reject(fail(`answer larger than ${MAX_BODY} bytes`));
          } else chunks.push(chunk);
        });
        res.on('error', (error) => reject(fail(error.message, error)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8').trim();
          if (res.statusCode !== 200) {
            reject(fail(`HTTP ${res.statusCode ?? 0}: ${text.slice(0, 200).replace(/\s+/g, ' ')}`));
          } else if (text === '') reject(fail('an empty answer'));
          else resolve(text);
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        fail(
          signal.aborted ? `no answer within ${timeoutMs} ms` : (error.code ?? error.message),
          error,
        ),
      );
    });
    req.end(payload);
  });
}
