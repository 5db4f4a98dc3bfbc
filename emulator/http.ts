// Small HTTP helpers shared by the emulator's services: bodies, JSON, Google-shaped errors.
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY = 1024 * 1024;

/** Reads the request body (bounded to 1 MiB). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON object body: `{}` when the body is empty, undefined when it is not JSON or
 * not an object. Throws when the body is over 1 MiB (readBody).
 */
export async function readJsonObject(
  req: IncomingMessage,
): Promise<Record<string, unknown> | undefined> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // not JSON: undefined below
  }
  return undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(data),
  });
  res.end(data);
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** google.rpc.Status names by HTTP status, as Google's JSON errors carry them. */
export const RPC_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export interface GoogleErrorOptions {
  readonly status?: string;
  readonly reason?: string;
  readonly domain?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * `{"error":{"code","message","status","details":[ErrorInfo]}}` as Google APIs answer;
 * without a reason there is no `details` at all (Google's FAILED_PRECONDITION, for one).
 */
export function sendGoogleError(
  res: ServerResponse,
  code: number,
  message: string,
  options: GoogleErrorOptions = {},
): void {
  const status = options.status ?? RPC_STATUS[code] ?? 'UNKNOWN';
  const details =
    options.reason === undefined
      ? undefined
      : [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: options.reason,
            domain: options.domain ?? 'googleapis.com',
            metadata: options.metadata ?? {},
          },
        ];
  sendJson(res, code, {
    error: { code, message, status, ...(details === undefined ? {} : { details }) },
  });
}

/** The HTML 404 page Google's front ends answer for an unknown URL path. */
export function notFoundPage(path: string): string {
  return `<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <title>Error 404 (Not Found)!!1</title>
  <p><b>404.</b> <ins>That’s an error.</ins>
  <p>The requested URL <code>${escapeHtml(path)}</code> was not found on this server.  <ins>That’s all we know.</ins>
`;
}

// Answers an unknown URL path with that page.
export function sendHtml404(res: ServerResponse, path: string): void {
  res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
  res.end(notFoundPage(path));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
