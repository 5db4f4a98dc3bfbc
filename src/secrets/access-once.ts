// One HTTP call to Secret Manager's `:access`, classified (src/retry/failure.ts): a value, or
// a failure that says whether retrying (outage), waiting for IAM (denied), refreshing the
// token (credential) or re-reading (corrupt) could help. Uses Node's built-in fetch (undici):
// no dependency, AbortSignal for per-call timeouts and cancellation.
import { TeeinitError, type ErrorCode } from '../errors/index.js';
import { classifySecretManager, withFailure, type FailureKind } from '../retry/index.js';
import { crc32c } from './crc32c.js';

/** The 64 KiB payload limit in base64 plus JSON framing, with room to spare. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** What the error messages name. */
export interface AccessTarget {
  readonly secret: string;
  readonly collaborator: string;
  readonly ref: string;
  readonly url: string;
}

export type AccessOutcome =
  | {
      readonly ok: true;
      readonly value: Buffer;
      readonly version: string;
      readonly crc: 'verified' | 'missing';
    }
  | {
      readonly ok: false;
      readonly kind: FailureKind;
      readonly error: TeeinitError;
    };

/** Performs one access; rejects only with `signal.reason` when the caller's signal aborts. */
export async function accessOnce(
  target: AccessTarget,
  token: string,
  callTimeoutMs: number,
  signal: AbortSignal,
): Promise<AccessOutcome> {
  const timeout = AbortSignal.timeout(callTimeoutMs);
  const where = `secret "${target.secret}" (collaborator ${target.collaborator}, ${target.ref})`;
  const fields = { secret: target.secret, collaborator: target.collaborator, ref: target.ref };
  let status: number;
  let body: Buffer;
  try {
    const res = await fetch(target.url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.any([signal, timeout]),
    });
    status = res.status;
    body = await readBounded(res);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) {
      return failure(
        'outage',
        'TEEINIT_DEADLINE_EXCEEDED',
        `Secret Manager did not answer within ${callTimeoutMs} ms for ${where}.`,
        fields,
      );
    }
    return failure(
      'outage',
      'TEEINIT_SECRET_UNAVAILABLE',
      `Secret Manager could not be reached for ${where}: ${networkReason(error)}.`,
      fields,
    );
  }
  const json = parseJson(body);
  if (status === 200) {
    body.fill(0); // the base64 payload: decodeAnswer reads the parsed JSON only
    return decodeAnswer(json, where, fields);
  }
  const google = googleError(json, body);
  const text = `HTTP ${status}${google.status ? ' ' + google.status : ''}: ${google.message}`;
  const f = { ...fields, status };
  const kind = classifySecretManager(status, google.status);
  if (status === 401)
    return failure(
      kind,
      'TEEINIT_UNAUTHENTICATED',
      `Secret Manager refused the credentials of collaborator ${target.collaborator} for ${where}: ${text}`,
      f,
    );
  if (status === 403)
    return failure(kind, 'TEEINIT_PERMISSION_DENIED', `Permission denied on ${where}: ${text}`, f);
  if (status === 404) {
    const hint =
      json === undefined ? ' (not a Secret Manager answer: check endpoints.secretManager)' : '';
    return failure(kind, 'TEEINIT_SECRET_NOT_FOUND', `Not found: ${where}: ${text}${hint}`, f);
  }
  if (status === 400 && google.status === 'FAILED_PRECONDITION')
    return failure(kind, 'TEEINIT_SECRET_DISABLED', `Not accessible: ${where}: ${text}`, f);
  if (status === 400)
    return failure(
      kind,
      'TEEINIT_CONFIG_INVALID',
      `Secret Manager rejected the request for ${where}: ${text}`,
      f,
    );
  if (kind === 'outage')
    return failure(
      kind,
      'TEEINIT_SECRET_UNAVAILABLE',
      `Secret Manager is unavailable for ${where}: ${text}`,
      f,
    );
  // INTERNAL (500), DEADLINE_EXCEEDED (504), a front end's 408…: not retried (AIP-194).
  return failure(
    kind,
    'TEEINIT_SECRET_UNAVAILABLE',
    `Secret Manager failed for ${where}: ${text} (not retried: Google's API guidance retries only UNAVAILABLE and RESOURCE_EXHAUSTED).`,
    f,
  );
}

function decodeAnswer(json: unknown, where: string, fields: Record<string, string>): AccessOutcome {
  const answer = (json ?? {}) as {
    name?: unknown;
    payload?: { data?: unknown; dataCrc32c?: unknown };
  };
  const data = answer.payload?.data;
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
    return failure(
      'corrupt',
      'TEEINIT_SECRET_UNAVAILABLE',
      `Secret Manager answered 200 without a valid base64 payload for ${where}.`,
      fields,
    );
  }
  const value = Buffer.from(data, 'base64');
  const version = typeof answer.name === 'string' ? answer.name : 'unknown';
  const crc = answer.payload?.dataCrc32c;
  const expected = typeof crc === 'string' || typeof crc === 'number' ? String(crc) : undefined;
  if (expected === undefined) return { ok: true, value, version, crc: 'missing' };
  const actual = crc32c(value);
  if (expected !== String(actual)) {
    value.fill(0);
    return failure(
      'corrupt',
      'TEEINIT_SECRET_CHECKSUM',
      `The payload of ${where} failed its CRC32C check (expected ${expected}, computed ${actual}).`,
      fields,
    );
  }
  return { ok: true, value, version, crc: 'verified' };
}

function failure(
  kind: FailureKind,
  code: ErrorCode,
  message: string,
  fields: Record<string, string | number>,
): AccessOutcome {
  return { ok: false, kind, error: withFailure(new TeeinitError(code, message, { fields }), kind) };
}

async function readBounded(res: Response): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await res.body?.cancel();
    throw new Error(`answer of ${declared} bytes exceeds ${MAX_RESPONSE_BYTES}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const part of res.body) {
      const chunk = part as Uint8Array;
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) throw new Error(`answer exceeds ${MAX_RESPONSE_BYTES} bytes`);
      chunks.push(chunk);
    }
  }
  const body = Buffer.concat(chunks);
  for (const chunk of chunks) chunk.fill(0); // copies of the payload, no longer needed
  return body;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Google's `error.status` and `error.message`; a short excerpt for non-JSON answers. */
function googleError(json: unknown, body: Buffer): { status?: string; message: string } {
  const err = (json as { error?: { status?: unknown; message?: unknown } } | undefined)?.error;
  if (err && typeof err === 'object') {
    return {
      ...(typeof err.status === 'string' ? { status: err.status } : {}),
      message: typeof err.message === 'string' ? err.message : 'no message',
    };
  }
  const text = body
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { message: text.slice(0, 160) || 'empty answer' };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
