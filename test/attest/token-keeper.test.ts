// The token keeper against the emulator's teeserver: the first token carries the key's
// nonce, launcher failures are retried (and given up on at the deadline), the key and token
// are replaced before expiry, and an expired identity is never presented.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { TokenKeeper, type KeeperEvent } from '../../src/attest/token-keeper.js';
import { TeeinitError } from '../../src/errors/index.js';
import { pollUntil } from '../helpers/poll.js';
import { AUDIENCE, startAttestWorld, type AttestWorld } from './world.js';

const T = { timeout: 30_000 };

describe('token keeper', { timeout: 120_000 }, () => {
  let world: AttestWorld;
  const keepers: TokenKeeper[] = [];
  const start = async (options: Partial<Parameters<typeof TokenKeeper.start>[0]> = {}) => {
    const k = await TokenKeeper.start({
      socketPath: world.emulator.socketPath,
      audience: AUDIENCE,
      tokenType: 'OIDC',
      ...options,
    });
    keepers.push(k);
    return k;
  };

  before(async () => {
    world = await startAttestWorld();
  });
  after(async () => {
    for (const k of keepers) k.stop();
    await world?.stop();
  });

  test('the token vouches for the key: audience, nonce, token type', T, async () => {
    const k = await start({
      tokenType: 'PKI',
      socketPath: world.emulator.vms.peer?.socketPath ?? '',
    });
    const id = k.current();
    assert.ok(id);
    const claims = decodeJwt(id.token);
    assert.equal(claims.aud, AUDIENCE);
    assert.equal(claims.eat_nonce, id.key.nonce, 'one nonce: eat_nonce is a string');
    assert.match(id.key.nonce, /^[0-9a-f]{64}$/);
    assert.ok(Array.isArray(decodeProtectedHeader(id.token).x5c));
    assert.equal(id.expiresAt, (claims.exp ?? 0) * 1000);
  });

  test('launcher failures at start are retried with backoff', T, async () => {
    for (const rule of parseFaultRules([
      {
        id: 'keeper-500',
        route: 'teeserver.token',
        error: { status: 500, message: 'failed to refresh attestation agent' },
        times: 2,
      },
    ]))
      world.emulator.faults.add(rule);
    const events: KeeperEvent[] = [];
    const k = await start({ initialBackoffMs: 50, onEvent: (e) => events.push(e) });
    assert.ok(k.current());
    assert.deepEqual(
      events.map((e) => e.kind),
      ['failed', 'failed', 'token'],
    );
    const first = events[0];
    assert.ok(first?.kind === 'failed');
    assert.match(first.error.message, /HTTP 500: failed to refresh attestation agent/);
  });

  test('start gives up at its deadline with TEEINIT_TOKEN_UNAVAILABLE', T, async () => {
    for (const rule of parseFaultRules([
      { id: 'keeper-down', route: 'teeserver.token', error: { status: 500 } },
    ]))
      world.emulator.faults.add(rule);
    try {
      await assert.rejects(
        start({ initialBackoffMs: 50, maxBackoffMs: 100, startDeadlineMs: 400 }),
        (e: unknown) => e instanceof TeeinitError && e.code === 'TEEINIT_TOKEN_UNAVAILABLE',
      );
    } finally {
      world.emulator.faults.remove('keeper-down');
    }
  });

  test('a launcher refusal (400) names the socket and the launcher text', T, async () => {
    await assert.rejects(
      start({ audience: 'x'.repeat(513), startDeadlineMs: 0 }),
      (e: unknown) =>
        e instanceof TeeinitError &&
        /HTTP 400: .*audience must be at most 512 bytes/.test(e.message) &&
        e.message.includes(world.emulator.socketPath),
    );
  });

  test('the key and token are replaced after the refresh fraction of the lifetime', T, async () => {
    // 1 s of a 3600 s token (the keeper never refreshes sooner than 1 s).
    const k = await start({ refreshFraction: 1 / 3600 });
    const first = k.current();
    assert.ok(first);
    const next = await pollUntil(
      'a new key and token',
      () => {
        const c = k.current();
        return c !== undefined && c.key.nonce !== first.key.nonce ? c : undefined;
      },
      20_000,
    );
    assert.equal(decodeJwt(next.token).eat_nonce, next.key.nonce);
  });

  test('an expired identity is not presented', T, async () => {
    let offset = 0;
    const k = await start({ now: () => Date.now() + offset });
    assert.ok(k.current());
    offset = 3601_000;
    assert.equal(k.current(), undefined);
  });
});
