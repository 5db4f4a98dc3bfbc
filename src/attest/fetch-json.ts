// One bounded GET for the issuer's discovery document and JWKS: a deadline, no redirects,
// at most `maxBytes` read, JSON object or nothing. Failures are plain Errors with a short
// reason; the caller turns them into `attestation-keys-unavailable`.

export interface FetchJsonOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

// Fetches `url` and parses its body as a JSON object.
export async function fetchJsonObject(
  url: string,
  options: FetchJsonOptions,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    redirect: 'error',
    signal: AbortSignal.timeout(options.timeoutMs),
    headers: { accept: 'application/json' },
  }).catch((cause: unknown) => {
    const name = cause instanceof Error ? cause.name : '';
    throw new Error(
      name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : 'unreachable',
      {
        cause,
      },
    );
  });
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`HTTP ${response.status}`);
  }
  const body = await readBounded(response, options.maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('the answer is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('the answer is not a JSON object');
  }
  return value as Record<string, unknown>;
}

async function readBounded(response: Response, maxBytes: number): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Throwing out of the loop ends the iterator, which cancels the body stream.
    if (size > maxBytes) throw new Error(`the answer is larger than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** https anywhere; plain http only to a loopback host (a local emulator or test issuer). */
export function isAllowedKeyUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
