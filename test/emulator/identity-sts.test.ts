// The emulator's STS on the wire: form and camelCase JSON bodies, every subject-token check
// (time window, signature, kid, alg, lifetime, issuer) and request errors, with Google's
// OAuth error shape; plus the issuer's discovery document and JWKS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MintOptions } from '../../emulator/attestation/authority.js';
import { decodeJwt } from '../../emulator/attestation/jwt.js';
import { parseFaultRules } from '../../emulator/faults/controller.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { exchangeFields, exchangeForm, expiresInRange, startWithProvider } from './sts-fixture.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
let emu: RunningEmulator;
let stop: () => Promise<void>;
let audience: string;

type Answer = Awaited<ReturnType<typeof exchangeForm>>;

const formFor = (subjectToken: string, aud = audience): Record<string, string> =>
  exchangeFields(subjectToken, aud);

async function exchangeMinted(options: MintOptions): Promise<Answer> {
  return exchangeForm(emu, formFor(await emu.attestation.mintToken(options)));
}

const grantError = (description: string): Record<string, unknown> => ({
  error: 'invalid_grant',
  error_description: description,
});

describe('identity: STS token exchange', () => {
  before(async () => {
    ({ emu, stop } = await startWithProvider('emu-sts-', { provider: 'off', disabled: true }));
    audience = emu.providerAudience('alice-proj');
  });
  after(() => stop());

  test('form body: success shape', { timeout: 10_000 }, async () => {
    const mintedAt = Math.floor(Date.now() / 1000);
    const r = await exchangeMinted({});
    const [min, max] = expiresInRange(mintedAt, Date.now() / 1000);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), [
      'access_token',
      'expires_in',
      'issued_token_type',
      'token_type',
    ]);
    assert.equal(r.body.issued_token_type, ACCESS);
    assert.equal(r.body.token_type, 'Bearer');
    // What is left of the fresh subject token less ~2 s, as Google answers.
    const expiresIn = Number(r.body.expires_in);
    assert.ok(
      expiresIn >= min && expiresIn <= max,
      `expires_in ${expiresIn}, not in ${min}..${max}`,
    );
    assert.match(String(r.body.access_token), /^ya29\./);
  });

  test('camelCase JSON body: success', { timeout: 10_000 }, async () => {
    const res = await fetch(`${emu.endpoints.sts}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grantType: GRANT,
        audience,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
        requestedTokenType: ACCESS,
        subjectTokenType: JWT,
        subjectToken: await emu.attestation.mintToken(),
      }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(emu.tokens.resolve(String(body.access_token)).status, 'valid');
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const cases: [string, () => MintOptions, RegExp][] = [
    [
      'expired subject token',
      () => ({ iat: now() - 7200, exp: now() - 3600 }),
      /^ID Token expired at \d+ \(now \d+\)\.$/,
    ],
    ['iat in the future', () => ({ iat: now() + 600 }), /^ID Token issued at \d+ is in the future/],
    [
      'lifetime over 48 h',
      () => ({ iat: now() - 60, exp: now() + 49 * 3600 }),
      /exceeds the maximum of 172800 seconds\.$/,
    ],
    ['wrong signature', () => ({ signWith: 'foreign' }), /^Invalid ID Token signature\.$/],
    [
      'alg none',
      () => ({ header: { alg: 'none' } }),
      /^The ID Token must be signed with RS256, got \[none\]\.$/,
    ],
    ['no kid', () => ({ header: { kid: null } }), /^The ID Token header must contain a "kid"\.$/],
    [
      'unknown kid',
      () => ({ header: { kid: 'other' } }),
      /^The ID Token's kid \[other\] is not in the issuer's JWKS\.$/,
    ],
    [
      'other issuer',
      () => ({ claims: { iss: 'https://accounts.google.com' } }),
      /^The issuer in ID Token \[https:\/\/accounts\.google\.com\] does not match/,
    ],
  ];
  for (const [name, options, description] of cases) {
    test(`invalid_grant: ${name}`, { timeout: 10_000 }, async () => {
      const r = await exchangeMinted(options());
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'invalid_grant');
      assert.match(String(r.body.error_description), description);
    });
  }

  test('invalid_grant: garbage subject token', { timeout: 10_000 }, async () => {
    const r = await exchangeForm(emu, formFor('not-a-jwt'));
    assert.deepEqual(r, { status: 400, body: grantError('Unable to parse the ID Token.') });
  });

  test('audience array with the STS audience is accepted', { timeout: 10_000 }, async () => {
    const r = await exchangeMinted({
      claims: { aud: ['https://other', 'https://sts.googleapis.com'] },
    });
    assert.equal(r.status, 200);
  });

  test('google.subject over 127 bytes is invalid_request', { timeout: 10_000 }, async () => {
    const r = await exchangeMinted({ settings: { instanceId: '9'.repeat(60) } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, {
      error: 'invalid_request',
      error_description:
        'The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.',
    });
  });

  test('malformed audience is invalid_request', { timeout: 10_000 }, async () => {
    const r = await exchangeForm(
      emu,
      formFor(await emu.attestation.mintToken(), 'projects/111/pools/tee'),
    );
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_request');
    assert.match(
      String(r.body.error_description),
      /^Invalid value for "audience"\. This value should be the full resource name of the Identity Provider\./,
    );
  });

  test('disabled provider is invalid_target', { timeout: 10_000 }, async () => {
    const r = await exchangeForm(
      emu,
      formFor(
        await emu.attestation.mintToken(),
        emu.providerAudience('alice-proj', 'cs-pool', 'off'),
      ),
    );
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_target');
  });

  test(
    'env override changes the subject claims a condition can see',
    { timeout: 10_000 },
    async () => {
      const token = await emu.attestation.mintToken({ settings: { envOverride: { MODE: 'x' } } });
      const claims = decodeJwt(token)?.payload as {
        submods: { container: { env_override: unknown; env: Record<string, string> } };
      };
      assert.deepEqual(claims.submods.container.env_override, { MODE: 'x' });
      assert.equal(claims.submods.container.env.MODE, 'x');
    },
  );

  test('request errors', { timeout: 10_000 }, async () => {
    const token = await emu.attestation.mintToken();
    const wrongGrant = await exchangeForm(emu, {
      ...formFor(token),
      grant_type: 'client_credentials',
    });
    assert.equal(wrongGrant.status, 400);
    assert.equal(wrongGrant.body.error, 'unsupported_grant_type');
    const wrongType = await exchangeForm(emu, { ...formFor(token), subject_token_type: 'urn:x' });
    assert.equal(wrongType.body.error, 'invalid_request');
    const missing = await exchangeForm(emu, { ...formFor(''), subject_token: '' });
    assert.equal(missing.body.error, 'invalid_request');
    const get = await fetch(`${emu.endpoints.sts}/v1/token`);
    assert.equal(get.status, 404);
    assert.match(get.headers.get('content-type') ?? '', /text\/html/);
  });

  test('fault rules apply to the STS route', { timeout: 10_000 }, async () => {
    for (const rule of parseFaultRules({ route: 'sts.token', error: { status: 503 }, times: 1 })) {
      emu.faults.add(rule);
    }
    const token = await emu.attestation.mintToken();
    const failed = await fetch(`${emu.endpoints.sts}/v1/token`, {
      method: 'POST',
      body: new URLSearchParams(formFor(token)),
    });
    assert.equal(failed.status, 503);
    await failed.arrayBuffer();
    assert.equal((await exchangeForm(emu, formFor(token))).status, 200);
  });

  test('discovery and JWKS are served by the emulator', { timeout: 10_000 }, async () => {
    const discovery = (await (
      await fetch(`${emu.endpoints.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    assert.equal(discovery.issuer, 'https://confidentialcomputing.googleapis.com');
    assert.equal(discovery.jwks_uri, `${emu.endpoints.issuer}/jwks`);
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as {
      keys: { kid: string; alg: string; kty: string }[];
    };
    const header = decodeJwt(await emu.attestation.mintToken())?.header;
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.kid, header?.kid);
    assert.equal(jwks.keys[0]?.alg, 'RS256');
    assert.equal(jwks.keys[0]?.kty, 'RSA');
  });
});
