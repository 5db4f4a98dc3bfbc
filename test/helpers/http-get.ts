// One plain HTTP request to a loopback port on a fresh connection (agent: false), for the
// status endpoint's tests. Not fetch(): its pool keeps a socket for the next call, and the
// endpoint closes idle sockets after 5 s; a test stalled past the pool's margin between two
// calls would send on a socket the server had already closed.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';

/** What came back: status, headers and the whole body as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

/** Why: `'refused'` when nothing accepts the connection (or it is reset), else the answer. */
export function httpGet(
  port: number,
  path: string,
  { method = 'GET', timeoutMs = 3000 }: { method?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer | 'refused'> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method,
      agent: false,
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${path}`)));
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' ? resolve('refused') : reject(e),
    );
    req.end();
  });
}

/** Why: most calls expect an answer; a refused connection fails the test with its request. */
export async function httpAnswer(
  port: number,
  path: string,
  options: { method?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const answer = await httpGet(port, path, options);
  assert.notEqual(answer, 'refused', `${options.method ?? 'GET'} ${path} was refused`);
  return answer as HttpAnswer;
}
