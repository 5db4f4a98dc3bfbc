/* eslint-disable @typescript-eslint/no-unsafe-call -- tests mutate untyped config trees the way a user file would */
// Listener clashes: `proxies[].listen`, `proxies[].status` and `status.listen` are refused at
// load when two would take the same port on overlapping hosts, or the same unix socket.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { loadConfigTree } from './load.js';
import { baseTree } from './test-fixtures.js';

type Tree = Record<string, any>;

// A second psk-server proxy (its listen is the TLS side, so any host is allowed).
function withProxy(t: Tree, listen: string, extra: Tree = {}): void {
  t.proxies.push({ ...t.proxies[0], name: 'second', listen, ...extra });
}

// [what, mutate, the clash's message fragments or undefined when it loads]
const cases: [string, (t: Tree) => void, string[] | undefined][] = [
  [
    'localhost vs 127.0.0.1',
    (t) => {
      t.proxies[0].listen = 'localhost:9000';
      withProxy(t, '127.0.0.1:9000');
    },
    ['proxies[1].listen and proxies[0].listen would listen on the same TCP port'],
  ],
  [
    '0.0.0.0 vs 127.0.0.1',
    (t) => {
      t.proxies[0].listen = '0.0.0.0:9000';
      withProxy(t, '127.0.0.1:9000');
    },
    ['proxies[1].listen and proxies[0].listen would listen on the same TCP port'],
  ],
  [
    '[::] vs 127.0.0.1',
    (t) => {
      t.proxies[0].listen = '[::]:9000';
      withProxy(t, '127.0.0.1:9000');
    },
    ['proxies[1].listen and proxies[0].listen would listen on the same TCP port'],
  ],
  [
    '[::] vs 0.0.0.0 (Node listens dual-stack)',
    (t) => {
      t.proxies[0].listen = '0.0.0.0:9000';
      withProxy(t, '[0:0::0]:9000');
    },
    ['proxies[1].listen', 'proxies[0].listen'],
  ],
  [
    'IPv4-mapped vs 127.0.0.1',
    (t) => {
      t.proxies[0].listen = '127.0.0.1:9000';
      withProxy(t, '[::ffff:127.0.0.1]:9000');
    },
    ['proxies[1].listen', 'proxies[0].listen'],
  ],
  [
    'a name vs the same name (any case)',
    (t) => {
      t.proxies[0].listen = 'tee.internal:9000';
      withProxy(t, 'TEE.internal:9000');
    },
    ['proxies[1].listen', 'proxies[0].listen'],
  ],
  [
    'a name vs 0.0.0.0',
    (t) => {
      t.proxies[0].listen = 'tee.internal:9000';
      withProxy(t, '0.0.0.0:9000');
    },
    ['proxies[1].listen', 'proxies[0].listen'],
  ],
  [
    'unix same path',
    (t) => {
      t.proxies[0].listen = 'unix:/run/tls.sock';
      withProxy(t, 'unix:/run//tls.sock');
    },
    ['proxies[1].listen', 'proxies[0].listen', 'the same unix socket'],
  ],
  [
    'proxy status vs status.listen',
    (t) => {
      t.proxies[0].status = '127.0.0.1:9901';
      t.status = { listen: 'localhost:9901' };
    },
    ['status.listen and proxies[0].status would listen on the same TCP port'],
  ],
  [
    'proxy listen vs status.listen',
    (t) => (t.status = { listen: '127.0.0.1:8081' }),
    ['status.listen and proxies[0].listen would listen'],
  ],
  [
    "a proxy's status vs its own listen",
    (t) => (t.proxies[0].status = '127.0.0.1:8081'),
    ['proxies[0].status', 'proxies[0].listen'],
  ],
  [
    '[::1] vs 127.0.0.1',
    (t) => {
      t.proxies[0].listen = '[::1]:9000';
      withProxy(t, '127.0.0.1:9000');
    },
    undefined,
  ],
  [
    '0.0.0.0 vs [::1]',
    (t) => {
      t.proxies[0].listen = '0.0.0.0:9000';
      t.status = { listen: '[::1]:9000' };
    },
    undefined,
  ],
  [
    'different ports',
    (t) => {
      t.proxies[0].listen = '0.0.0.0:9000';
      withProxy(t, '0.0.0.0:9001', { status: '127.0.0.1:9002' });
      t.status = { listen: '[::]:9003' };
    },
    undefined,
  ],
  [
    'port 0',
    (t) => {
      t.proxies[0].listen = '0.0.0.0:0';
      withProxy(t, '[::]:0', { status: '127.0.0.1:0' });
      t.status = { listen: 'localhost:0' };
    },
    undefined,
  ],
  [
    'a name vs an IP literal, and two names (not resolved)',
    (t) => {
      t.proxies[0].listen = 'tee.internal:9000';
      withProxy(t, '127.0.0.1:9000');
      t.status = { listen: 'other.internal:9000' };
    },
    undefined,
  ],
  [
    'unix different paths',
    (t) => {
      t.proxies[0].listen = 'unix:/run/a.sock';
      withProxy(t, 'unix:/run/b.sock');
    },
    undefined,
  ],
];

describe('config: listener clashes', { timeout: 10_000 }, () => {
  for (const [what, mutate, fragments] of cases) {
    test(`${fragments ? 'refuses' : 'accepts'}: ${what}`, () => {
      const t = baseTree();
      mutate(t);
      if (fragments === undefined) {
        loadConfigTree(t);
        return;
      }
      assert.throws(
        () => loadConfigTree(t),
        (e: unknown) => {
          assert.ok(e instanceof TeeinitError);
          assert.equal(e.code, 'TEEINIT_CONFIG_LISTEN_CLASH');
          assert.equal(e.exitCode, 78);
          for (const f of fragments) assert.ok(e.message.includes(f), `${e.message}\n lacks ${f}`);
          // Key paths only: no address of the file (no port, host or path) is shown.
          assert.doesNotMatch(e.message, /\d{4}|localhost|0\.0\.0\.0|::|internal|\/run/);
          assert.match(e.hint, /its own port or socket path/);
          return true;
        },
      );
    });
  }
});
