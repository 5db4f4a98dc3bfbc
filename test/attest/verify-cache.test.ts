// A verifier checks a token's signature once per token and its expiry on every use: the
// second use of a token is admitted without another JWKS fetch, and refused once expired.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPeerVerifier } from '../../src/attest/peer-verifier.js';
import { AttestRefusal } from '../../src/attest/reasons.js';
import { AUDIENCE, DEFAULT_IMAGE_DIGEST, startAttestWorld, type AttestWorld } from './world.js';

describe('verified-token cache', { timeout: 60_000 }, () => {
  let world: AttestWorld;
  before(async () => {
    world = await startAttestWorld();
  });
  after(async () => {
    await world?.stop();
  });

  test('a cached token is still refused after its exp', async () => {
    let now = Date.now();
    const verifier = createPeerVerifier(world.policy, { now: () => now });
    const token = await world.emulator.attestation.mintToken({
      audience: AUDIENCE,
      lifetimeSeconds: 600,
    });
    assert.equal((await verifier.verifyToken(token)).imageDigest, DEFAULT_IMAGE_DIGEST);
    now += 300_000;
    assert.equal((await verifier.verifyToken(token)).imageDigest, DEFAULT_IMAGE_DIGEST);
    now += 400_000; // 700 s after iat: past exp (600 s) and the 60 s skew
    await assert.rejects(
      verifier.verifyToken(token),
      (e: unknown) => e instanceof AttestRefusal && e.reason === 'attestation-expired',
    );
  });
});
