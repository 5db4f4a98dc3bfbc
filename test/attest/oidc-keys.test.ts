// The OIDC key source against a scripted issuer on loopback: discovery and JWKS fetched
// once and cached, one refetch per cooldown for an unknown kid, bounded answers, the
// discovery issuer and jwks_uri checked, stale keys kept when a refetch fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { OidcKeys } from '../../src/attest/oidc-keys.js';
import { AttestRefusal } from '../../src/attest/reasons.js';
import { freePort } from '../helpers/net.js';
import { startAttestWorld, type AttestWorld } from './world.js';

const ISSUER = 'https://confidentialcomputing.googleapis.com';

describe('OIDC keys', { timeout: 120_000 }, () => {
  let world: AttestWorld;
  let server: Server;
  let base = '';
  let hits: string[] = [];
  let discovery: () => unknown;
  let jwks: () => string;

  before(async () => {
    world = await startAttestWorld();
    const keys = await (await fetch(`${world.emulator.endpoints.issuer}/jwks`)).text();
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const body = req.url === '/jwks' ? jwks() : JSON.stringify(discovery());
      res.writeHead(req.url === '/down' ? 503 : 200, { 'content-type': 'application/json' });
      res.end(body);
    });
    const port = await freePort();
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${port}`;
    discovery = () => ({ issuer: ISSUER, jwks_uri: `${base}/jwks` });
    jwks = () => keys;
  });
  after(async () => {
    server?.close();
    await world?.stop();
  });

  const keysFor = (now: () => number = Date.now) =>
    new OidcKeys({ issuer: ISSUER, discoveryUrl: `${base}/.well-known/openid-configuration`, now });
  const kid = (): string => world.emulator.attestation.kid;
  const refusal = (reason: string, detail?: RegExp) => (e: unknown) =>
    e instanceof AttestRefusal &&
    e.reason === reason &&
    (detail === undefined || detail.test(e.detail));

  test('discovery and JWKS are fetched once for many lookups', async () => {
    hits = [];
    const keys = keysFor();
    for (let i = 0; i < 5; i += 1) await keys.lookup({ alg: 'RS256', kid: kid() });
    assert.deepEqual(hits, ['/.well-known/openid-configuration', '/jwks']);
  });

  test('an unknown kid refetches at most once per 30 s cooldown', async () => {
    let now = Date.now();
    hits = [];
    const keys = keysFor(() => now);
    const unknown = () =>
      assert.rejects(
        keys.lookup({ alg: 'RS256', kid: 'unknown' }),
        refusal('attestation-invalid-signature', /no issuer key/),
      );
    await keys.lookup({ alg: 'RS256', kid: kid() });
    await unknown();
    assert.equal(hits.length, 2, 'right after a fetch: no refetch');
    now += 31_000;
    await unknown();
    assert.equal(hits.length, 4, 'after the cooldown: one refetch (discovery and JWKS)');
    now += 1_000;
    await unknown();
    assert.equal(hits.length, 4, 'within the cooldown again: none');
  });

  test('after the TTL a failed refetch keeps the keys it had', async () => {
    let now = Date.now();
    const keys = keysFor(() => now);
    await keys.lookup({ alg: 'RS256', kid: kid() });
    discovery = () => ({ issuer: ISSUER, jwks_uri: `${base}/down` });
    try {
      now += 2 * 3_600_000;
      hits = [];
      await keys.lookup({ alg: 'RS256', kid: kid() });
      assert.deepEqual(hits, ['/.well-known/openid-configuration', '/down']);
    } finally {
      discovery = () => ({ issuer: ISSUER, jwks_uri: `${base}/jwks` });
    }
  });

  const broken: [string, () => void, RegExp][] = [
    [
      'a discovery document naming another issuer',
      () => (discovery = () => ({ issuer: 'https://evil.test', jwks_uri: `${base}/jwks` })),
      /names another issuer/,
    ],
    [
      'a plain-http jwks_uri off loopback',
      () => (discovery = () => ({ issuer: ISSUER, jwks_uri: 'http://192.0.2.1/jwks' })),
      /not an https URL/,
    ],
    [
      'a JWKS over 64 KiB',
      () => (jwks = () => JSON.stringify({ keys: [{ kty: 'oct', k: 'x'.repeat(70_000) }] })),
      /larger than 65536 bytes/,
    ],
    ['a JWKS without keys', () => (jwks = () => '{"keys":[]}'), /is not a JWKS/],
    [
      'an issuer answering 503',
      () => (discovery = () => ({ issuer: ISSUER, jwks_uri: `${base}/down` })),
      /HTTP 503/,
    ],
  ];
  for (const [name, breakIt, detail] of broken) {
    test(`keys-unavailable: ${name}`, async () => {
      const savedDiscovery = discovery;
      const savedJwks = jwks;
      breakIt();
      try {
        await assert.rejects(
          keysFor().lookup({ alg: 'RS256', kid: kid() }),
          refusal('attestation-keys-unavailable', detail),
        );
      } finally {
        discovery = savedDiscovery;
        jwks = savedJwks;
      }
    });
  }
});
