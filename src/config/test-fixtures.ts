/* eslint-disable @typescript-eslint/no-explicit-any -- tests mutate untyped config trees the way a user file would */
// A valid config tree for tests: each test copies it and breaks one thing, then checks
// the refusal with assertRefused.
import assert from 'node:assert/strict';
import { TeeinitError, type ErrorCode } from '../errors/index.js';
import { loadConfigTree } from './load.js';

const PROVIDER = (n: number): string =>
  `//iam.googleapis.com/projects/${n}/locations/global/workloadIdentityPools/tee-pool/providers/cs-prov`;

/** A fresh, valid config tree (plain data, safe to mutate). */
export function baseTree(): Record<string, any> {
  return {
    version: 1,
    collaborators: {
      alice: { provider: PROVIDER(111) },
      bob: { provider: PROVIDER(222) },
    },
    secrets: {
      ca: { from: 'alice', ref: 'projects/alice-proj/secrets/ca/versions/3' },
      'server-cert': { from: 'alice', ref: 'projects/alice-proj/secrets/cert/versions/3' },
      'server-key': { from: 'alice', ref: 'projects/alice-proj/secrets/key/versions/3' },
      'alice-share': { from: 'alice', ref: 'projects/alice-proj/secrets/psk/versions/1' },
      'bob-share': { from: 'bob', ref: 'projects/bob-proj/secrets/psk/versions/1' },
    },
    keys: { 'session-psk': { shares: ['alice-share', 'bob-share'] } },
    tls: { server: { cert: 'server-cert', key: 'server-key', ca: 'ca' } },
    files: { entries: { 'server-key': { name: 'server.key', mode: '0600' } } },
    proxies: [
      {
        name: 'ingress',
        mode: 'psk-server',
        listen: '0.0.0.0:8081',
        target: '127.0.0.1:8080',
        psk: 'session-psk',
        identity: 'Client1',
      },
    ],
    processes: [
      {
        name: 'app',
        run: ['server', '--cert', '{{ file server-cert }}', '--key', '{{ file server-key }}'],
        ready: { tcp: '127.0.0.1:8080' },
      },
    ],
  };
}

/**
 * Asserts that loading `tree` is refused with `code` and a message that contains
 * `fragment`; returns the error for further checks.
 */
export function assertRefused(tree: unknown, code: ErrorCode, fragment: string): TeeinitError {
  let refusal: TeeinitError | undefined;
  assert.throws(
    () => loadConfigTree(tree),
    (e: unknown) => {
      assert.ok(e instanceof TeeinitError, String(e));
      assert.equal(e.code, code, e.message);
      assert.ok(e.message.includes(fragment), `${e.message}\n  lacks: ${fragment}`);
      refusal = e;
      return true;
    },
  );
  if (refusal === undefined) throw new Error('unreachable: assert.throws returned');
  return refusal;
}
