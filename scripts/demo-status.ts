// The demo's look at teeinit's status endpoint (`status.listen`): polls `/readyz` while
// teeinit starts, picks a few `/metrics` lines a reader understands, and watches `/healthz`
// during shutdown. Polls with deadlines, never fixed sleeps; keeps every body it read so the
// demo's no-secret check covers them too.
import { get } from 'node:http';
import { dim, formatMs, say } from './demo-print.js';

/** An HTTP answer, or the client's error code (ECONNREFUSED while nothing listens). */
type Answer = { status: number; body: string } | { error: string };

// Every answered request takes a turn of teeinit's event loop while it starts up: 50 ms
// keeps that small and still dates `ok` to a tenth of a second. Shutdown lasts ~0.1 s, so
// /healthz is polled faster there, to see `stopping` before the port closes.
const READY_POLL_MS = 50;
const STOP_POLL_MS = 10;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Why: one place that talks HTTP to the endpoint, the way a health checker or curl would.
/** The demo's client of `http://<address>`: every body it read is kept in `bodies`. */
export class StatusProbe {
  readonly bodies: string[] = [];
  constructor(readonly address: string) {}

  /** GET `path`: the status and body, or the error a client got. */
  async get(path: string): Promise<Answer> {
    const answer = await new Promise<Answer>((resolve) => {
      const req = get({ host: '127.0.0.1', port: this.port(), path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      });
      req.setTimeout(1000, () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
      );
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    if ('body' in answer) this.bodies.push(answer.body);
    return answer;
  }

  private port(): number {
    return Number(this.address.slice(this.address.lastIndexOf(':') + 1));
  }
}

/** What `/readyz` said while teeinit started, in ms after it was spawned. */
export interface Readiness {
  /** The first word it answered (normally `starting`) and when. */
  readonly first?: { word: string; ms: number };
  /** When it first answered 200 ok. */
  readonly okMs?: number;
}

// Why: a load balancer sends traffic only once /readyz says ok; show when that happens.
/** Polls `/readyz` from `since` until 200 ok, `gone()` or `ms` elapsed. */
export async function watchReadiness(
  probe: StatusProbe,
  since: number,
  gone: () => boolean,
  ms: number,
): Promise<Readiness> {
  const deadline = performance.now() + ms;
  let first: Readiness['first'];
  while (!gone() && performance.now() < deadline) {
    const answer = await probe.get('/readyz');
    const at = performance.now() - since;
    if ('body' in answer) {
      first ??= { word: answer.body.trim(), ms: at };
      if (answer.status === 200) return { first, okMs: at };
    }
    await pause(READY_POLL_MS);
  }
  return first ? { first } : {};
}

/** One sentence for step 3; throws when /readyz never said ok. */
export function narrateReadiness(address: string, r: Readiness): void {
  if (r.okMs === undefined) throw new Error(`/readyz on ${address} never answered 200 ok`);
  const first = r.first;
  const from =
    first && first.word !== 'ok' ? `503 ${first.word} from ${formatMs(first.ms)} on, ` : '';
  say(
    `status endpoint on ${address}: /readyz answered ${from}200 ok at ${formatMs(r.okMs)} ${dim('(since teeinit was spawned)')}`,
  );
}

/** What `/healthz` said after SIGTERM, in ms after it was sent. */
export interface Stopping {
  readonly stoppingMs?: number;
  readonly closedMs?: number;
}

// Why: an orchestrator sees teeinit going away before the port disappears.
/** Polls `/healthz` until it no longer answers, or `done` settled and it answered once more. */
export async function watchStopping(
  probe: StatusProbe,
  since: () => number,
  done: Promise<unknown>,
  ms = 20_000,
): Promise<Stopping> {
  let finished = false;
  void done.finally(() => (finished = true));
  const deadline = performance.now() + ms;
  let stoppingMs: number | undefined;
  for (;;) {
    const last = finished;
    const answer = await probe.get('/healthz');
    const at = performance.now() - since();
    if (!('body' in answer))
      return { ...(stoppingMs === undefined ? {} : { stoppingMs }), closedMs: at };
    if (answer.body.trim() === 'stopping') stoppingMs ??= at;
    if (last || performance.now() > deadline) return stoppingMs === undefined ? {} : { stoppingMs };
    await pause(STOP_POLL_MS);
  }
}

/** One sentence for the shutdown step. */
export function narrateStopping(s: Stopping): void {
  const closed =
    s.closedMs === undefined
      ? ''
      : `closed, the last thing teeinit stops ${dim(`(${formatMs(s.closedMs)})`)}`;
  if (s.stoppingMs === undefined) {
    say(`/healthz answered ok until it ${closed || 'stopped answering'}`);
  } else {
    const then = closed === '' ? '' : `; then it ${closed}`;
    say(`/healthz answered 503 stopping ${formatMs(s.stoppingMs)} after SIGTERM${then}`);
  }
}

// Why: the whole body is 60 lines of counters; a newcomer needs the few that tell the story.
/** Reads `/metrics` (until the PSK refusal is counted, or 2 s) and says 5 of its lines. */
export async function narrateMetrics(probe: StatusProbe, pskProxy: string): Promise<void> {
  const deadline = performance.now() + 2000;
  let text = '';
  for (;;) {
    const answer = await probe.get('/metrics');
    if ('body' in answer) text = answer.body;
    if (/_rejected_total\{/.test(text) || performance.now() > deadline) break;
    await pause(READY_POLL_MS);
  }
  const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const pick = (name: string, proxy?: string): string[] =>
    samples.filter(
      (l) => l.startsWith(`${name}{`) && (proxy === undefined || l.includes(`proxy="${proxy}"`)),
    );
  const value = (line: string): number => Number(line.slice(line.lastIndexOf(' ') + 1));
  const label = (line: string, name: string): string =>
    new RegExp(`${name}="([^"]*)"`).exec(line)?.[1] ?? '';
  const until = (line: string): string => new Date(value(line) * 1000).toISOString().slice(0, 10);
  const shown: [string, string][] = [
    ...pick('teeinit_process_up').map((l): [string, string] => [
      l,
      `${label(l, 'process')} is ${value(l) === 1 ? 'running' : 'not running'}`,
    ]),
    ...pick('teeinit_certificate_not_after_seconds').map((l): [string, string] => [
      l,
      `the ${label(l, 'bundle')} certificate is valid until ${until(l)}`,
    ]),
    ...pick('teeinit_proxy_connections_accepted_total', pskProxy).map((l): [string, string] => [
      l,
      `${pskProxy} accepted ${value(l)} connections: the two PSK clients above`,
    ]),
    ...pick('teeinit_proxy_connections_established_total', pskProxy).map((l): [string, string] => [
      l,
      `${value(l)} of them got through to the backend`,
    ]),
    ...pick('teeinit_proxy_connections_rejected_total', pskProxy).map((l): [string, string] => [
      l,
      `${value(l)} refused for ${label(l, 'reason')}: the client with the guessed share`,
    ]),
  ];
  say(
    dim(
      `$ curl http://${probe.address}/metrics   (${shown.length} of its ${samples.length} samples)`,
    ),
  );
  for (const [line, plain] of shown) {
    say(line, 1);
    say(dim(`→ ${plain}`), 2);
  }
}
