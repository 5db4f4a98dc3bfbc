import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { validateConfigTree } from './schema.js';
import { baseTree } from './test-fixtures.js';

describe('config schema', { timeout: 10_000 }, () => {
  test('fills every default and normalizes shorthands', () => {
    const c = validateConfigTree(baseTree());
    assert.equal(
      c.attestation.tokenFile,
      '/run/container_launcher/attestation_verifier_claims_token',
    );
    assert.equal(
      c.endpoints.secretManagerRegional,
      'https://secretmanager.{location}.rep.googleapis.com',
    );
    assert.equal(c.collaborators.alice?.credentials, 'workload-identity');
    assert.equal(c.secrets.ca?.source, 'gcp-secret-manager');
    assert.deepEqual(c.keys['session-psk'], {
      shares: ['alice-share', 'bob-share'],
      kdf: 'hkdf-sha256',
      salt: 'teeinit-psk-v1',
      info: 'session-psk',
      length: 32,
    });
    assert.equal(c.files.dir, '/run/secrets');
    assert.equal(c.files.defaultMode, 0o400);
    assert.equal(c.files.entries['server-key']?.mode, 0o600);
    assert.deepEqual(c.proxies[0]?.identities, { Client1: 'session-psk' });
    assert.equal(c.proxies[0]?.tlsVersion, '1.3');
    assert.equal(c.proxies[0]?.start, 'before-processes');
    assert.deepEqual(c.proxies[0]?.limits, {
      handshakeTimeout: 10_000,
      idleTimeout: 300_000,
      maxLifetime: 0,
      maxConnections: 1024,
      connectTimeout: 5_000,
      maxHandshakesPerSource: 64,
    });
    const p = c.processes[0]!;
    assert.deepEqual(p.restart, {
      policy: 'never',
      backoff: 1000,
      maxBackoff: 30_000,
      maxRestarts: 5,
      window: 60_000,
    });
    assert.equal(p.stopSignal, 'SIGTERM');
    assert.equal(p.stopTimeout, 10_000);
    assert.equal(p.ready?.timeout, 30_000);
    assert.equal(p.ready?.interval, 100);
    assert.deepEqual(c.fetch, {
      callTimeout: 10_000,
      startupDeadline: 60_000,
      attempts: 5,
      initialBackoff: 250,
      maxBackoff: 5000,
      permissionGrace: 600_000,
    });
    assert.equal(c.shutdown.stopTimeout, 10_000);
    assert.equal(c.log.level, 'INFO');
    assert.equal(c.clockSkew, 300_000);
  });

  test('the result is deeply frozen', () => {
    const c = validateConfigTree(baseTree());
    assert.ok(
      Object.isFrozen(c) &&
        Object.isFrozen(c.processes[0]!.run) &&
        Object.isFrozen(c.files.entries),
    );
  });

  test('a secret with a path defaults to source file, resolved against the base dir', () => {
    const t = baseTree();
    t.secrets.dev = { from: 'alice', path: 'dev/share.hex' };
    const c = validateConfigTree(t, '/etc/teeinit');
    assert.deepEqual(c.secrets.dev, {
      from: 'alice',
      path: '/etc/teeinit/dev/share.hex',
      source: 'file',
    });
  });

  test('durations', () => {
    const cases: [unknown, number][] = [
      ['500ms', 500],
      ['10s', 10_000],
      ['2m', 120_000],
      ['1h', 3_600_000],
      [750, 750],
    ];
    for (const [given, ms] of cases) {
      const t = baseTree();
      t.processes[0].ready.timeout = given;
      assert.equal(validateConfigTree(t).processes[0]?.ready?.timeout, ms, String(given));
    }
  });

  // [what, mutate, expected message fragment]
  const invalid: [string, (t: Record<string, any>) => void, string][] = [
    ['unknown top-level key', (t) => (t.colaborators = {}), 'colaborators: unknown key'],
    [
      'unknown nested key',
      (t) => (t.processes[0].ready.tpc = 'x'),
      'processes[0].ready.tpc: unknown key',
    ],
    [
      'wrong type',
      (t) => (t.processes[0].ready.timeout = true),
      'processes[0].ready.timeout: expected a duration',
    ],
    [
      'bad duration unit',
      (t) => (t.fetch = { callTimeout: '10 seconds' }),
      'fetch.callTimeout: expected a duration',
    ],
    [
      'zero timeout',
      (t) => (t.shutdown = { stopTimeout: 0 }),
      'shutdown.stopTimeout: expected a duration between 1ms and 24h',
    ],
    [
      'duration above 24h',
      (t) => (t.clockSkew = '25h'),
      'clockSkew: expected a duration between 0ms and 24h',
    ],
    ['version', (t) => (t.version = 2), 'version: expected `version: 1`, got a number'],
    [
      'mode as number',
      (t) => (t.files.entries['server-key'].mode = 400),
      'files.entries.server-key.mode: expected an octal mode string',
    ],
    [
      'mode not octal',
      (t) => (t.files.entries['server-key'].mode = '0800'),
      'expected an octal mode string',
    ],
    [
      'world-writable mode',
      (t) => (t.files.entries['server-key'].mode = '0666'),
      'not group- or world-writable',
    ],
    [
      'group-writable default mode',
      (t) => (t.files.defaultMode = '0620'),
      'files.defaultMode: expected a mode that is not group- or world-writable',
    ],
    [
      'relative files.dir',
      (t) => (t.files.dir = 'run/secrets'),
      'files.dir: expected an absolute path',
    ],
    [
      'bad enum',
      (t) => (t.proxies[0].mode = 'tls-server'),
      'proxies[0].mode: expected one of "mtls-server"',
    ],
    [
      'bad signal',
      (t) => (t.processes[0].stopSignal = 'TERM'),
      'processes[0].stopSignal: expected a signal name',
    ],
    [
      'empty argv',
      (t) => (t.processes[0].run = []),
      'processes[0].run: expected a non-empty argv array',
    ],
    [
      'bad name',
      (t) => (t.secrets['bad name'] = { from: 'alice' }),
      'secrets["bad name"]: invalid key, expected a name',
    ],
    [
      'bad env name',
      (t) => (t.processes[0].env = { '1X': 'a' }),
      'processes[0].env["1X"]: invalid key, expected an environment variable name',
    ],
    [
      'psk without identity',
      (t) => delete t.proxies[0].identity,
      'proxies[0].identity: expected `psk` and `identity` together',
    ],
    [
      'psk and identities',
      (t) => (t.proxies[0].identities = { C: 'session-psk' }),
      'proxies[0].identities: expected either',
    ],
    [
      'key length',
      (t) => (t.keys['session-psk'].length = 8),
      'keys.session-psk.length: expected a number >= 16',
    ],
    [
      'bad url',
      (t) => (t.endpoints = { sts: 'not a url' }),
      'endpoints.sts: expected an http(s) URL',
    ],
    [
      'regional without {location}',
      (t) => (t.endpoints = { secretManagerRegional: 'https://x' }),
      'endpoints.secretManagerRegional',
    ],
    [
      'file name with slash',
      (t) => (t.files.entries['server-key'].name = '../x'),
      'expected a file name without "/"',
    ],
  ];
  for (const [what, mutate, fragment] of invalid) {
    test(`rejects: ${what}`, () => {
      const t = baseTree();
      mutate(t);
      assert.throws(
        () => validateConfigTree(t),
        (e: unknown) => {
          assert.ok(e instanceof TeeinitError);
          assert.equal(e.code, 'TEEINIT_CONFIG_INVALID');
          assert.ok(e.message.includes(fragment), `${e.message}\n  lacks: ${fragment}`);
          return true;
        },
      );
    });
  }

  test('a long string value is not echoed', () => {
    const t = baseTree();
    t.processes[0].stopSignal = 'X'.repeat(200);
    assert.throws(
      () => validateConfigTree(t),
      (e: Error) => !e.message.includes('XXXXXXXXXX'),
    );
  });

  test('no value of the file is echoed, even a short one; only its type', () => {
    const t = baseTree();
    t.processes[0].stopSignal = 'SIGBOGUS';
    t.processes[0].ready = { timeout: 'hunter2', tcp: '127.0.0.1:1' };
    t.processes[0].user = 12345;
    assert.throws(
      () => validateConfigTree(t),
      (e: Error) => {
        for (const value of ['SIGBOGUS', 'hunter2', '12345'])
          assert.ok(!e.message.includes(value), `${e.message}\n  shows: ${value}`);
        assert.match(e.message, /processes\[0\]\.\w+(\.\w+)?: expected .*, got a (string|number)/);
        return true;
      },
    );
  });

  test('unknown keys are shown escaped and cut, and at most three are named', () => {
    const t = baseTree();
    const long = 'k'.repeat(2048);
    t[long] = 1;
    t['a\nb\u001b[31mc'] = 2;
    t.extra1 = 3;
    t.extra2 = 4;
    assert.throws(
      () => validateConfigTree(t),
      (e: Error) => {
        assert.ok(!e.message.includes('k'.repeat(65)), e.message);
        assert.match(e.message, /^[\x20-\x7e]+$/, JSON.stringify(e.message));
        assert.ok(e.message.includes(`["${'k'.repeat(64)}...(2048 chars)"]`), e.message);
        assert.ok(e.message.includes('["a\\nb\\u001b[31mc"]'), e.message);
        assert.match(e.message, / and 1 more: unknown keys \(not in the schema\)$/);
        return true;
      },
    );
  });
});
