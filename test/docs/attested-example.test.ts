// The worked example of docs/attested-channel.md: both configs load without warnings, and
// they fit together (each requires the other's digest, presents the audience the other
// requires, one token type each, debug images refused on both sides).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigTree } from '../../src/config/index.js';
import {
  CALLER_DIGEST,
  EXAMPLE_AUDIENCE,
  LEDGER_DIGEST,
  workedExample,
} from '../attest/worked-example.js';

const load = (side: 'ledger' | 'caller') =>
  loadConfigTree(workedExample(side), { baseDir: '/etc/teeinit' });

test('the ledger and caller configs validate without warnings', { timeout: 5_000 }, () => {
  for (const side of ['ledger', 'caller'] as const) {
    assert.deepEqual(load(side).warnings, [], side);
  }
});

test('the two configs admit each other and nothing else', { timeout: 5_000 }, () => {
  const ledger = load('ledger').config;
  const caller = load('caller').config;
  assert.deepEqual(
    ledger.proxies.map((p) => p.mode),
    ['mtls-server', 'psk-server'],
  );
  assert.deepEqual(
    caller.proxies.map((p) => p.mode),
    ['mtls-client', 'psk-client'],
  );
  for (const [config, other, tokenType] of [
    [ledger, CALLER_DIGEST, 'PKI'],
    [caller, LEDGER_DIGEST, 'OIDC'],
  ] as const) {
    for (const p of config.proxies) {
      assert.deepEqual(p.attest?.require?.imageDigests, [other], p.name);
      assert.equal(p.attest?.require?.audience, EXAMPLE_AUDIENCE);
      assert.equal(p.attest?.require?.unsafeAllowDebug, false);
      assert.equal(p.attest?.present?.audience, EXAMPLE_AUDIENCE);
      assert.equal(p.attest?.present?.tokenType, tokenType);
      assert.equal(p.attest?.present?.socket, '/run/container_launcher/teeserver.sock');
    }
  }
  // The PSK is the same derivation on both sides.
  assert.deepEqual(ledger.keys['session-psk'], caller.keys['session-psk']);
});
