// The teeserver socket through curl --unix-socket, as a workload would call it: every
// documented good request and every bad one, with the launcher's status and exact text.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from '../../emulator/attestation/jwt.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

const run = promisify(execFile);
let emu: RunningEmulator;
let dir: string;

async function curl(
  args: string[],
  url = 'http://localhost/v1/token',
): Promise<{ status: number; body: string }> {
  const marker = '\n--status--';
  const { stdout } = await run('curl', [
    '-sS',
    '--max-time',
    '10',
    '--unix-socket',
    emu.socketPath,
    ...args,
    '-w',
    `${marker}%{http_code}`,
    url,
  ]);
  const at = stdout.lastIndexOf(marker);
  return { status: Number(stdout.slice(at + marker.length)), body: stdout.slice(0, at) };
}

const post = (body: string): Promise<{ status: number; body: string }> =>
  curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', body]);

function claimsOf(token: string): Record<string, unknown> {
  const jwt = decodeJwt(token);
  assert.ok(jwt, `a JWT, got ${token.slice(0, 40)}`);
  return jwt.payload;
}

const SERVICE =
  'failed to retrieve custom attestation service token: rpc error: code = InvalidArgument desc = ';

describe('teeserver over curl --unix-socket', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-tee-'));
    emu = await startEmulator({ stateDir: dir });
  });
  after(async () => {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test(
    'GET /v1/token: a fresh default token, no newline, any Host',
    { timeout: 15_000 },
    async () => {
      for (const url of ['http://localhost/v1/token', 'http://teeserver.example:1234/v1/token']) {
        const r = await curl([], url);
        assert.equal(r.status, 200);
        assert.doesNotMatch(r.body, /\s/);
        const claims = claimsOf(r.body);
        assert.equal(claims.aud, 'https://sts.googleapis.com');
        assert.equal(claims.iss, 'https://confidentialcomputing.googleapis.com');
        assert.equal((claims.exp as number) - (claims.iat as number), 3600);
        assert.equal(claims.eat_nonce, undefined);
      }
    },
  );

  const good: [
    string,
    unknown,
    (claims: Record<string, unknown>, header: Record<string, unknown>) => void,
  ][] = [
    [
      'one nonce → eat_nonce string',
      { audience: 'https://my.service', nonces: ['12345678'], token_type: 'OIDC' },
      (c) => {
        assert.equal(c.aud, 'https://my.service');
        assert.equal(c.eat_nonce, '12345678');
      },
    ],
    [
      'several nonces → eat_nonce array',
      { audience: 'a', nonces: ['n'.repeat(8), 'm'.repeat(88)], token_type: 'OIDC' },
      (c) => {
        assert.deepEqual(c.eat_nonce, ['n'.repeat(8), 'm'.repeat(88)]);
      },
    ],
    [
      'no nonces',
      { audience: 'a', token_type: 'OIDC' },
      (c) => assert.equal(c.eat_nonce, undefined),
    ],
    [
      'null nonces',
      { audience: 'a', nonces: null, token_type: 'OIDC' },
      (c) => assert.equal(c.aud, 'a'),
    ],
    [
      'six nonces',
      {
        audience: 'a',
        nonces: Array.from({ length: 6 }, (_, i) => `nonce-0${i}`),
        token_type: 'OIDC',
      },
      (c) => {
        assert.equal((c.eat_nonce as string[]).length, 6);
      },
    ],
    [
      'audience of 512 bytes',
      { audience: 'x'.repeat(512), token_type: 'OIDC' },
      (c) => assert.equal(c.aud, 'x'.repeat(512)),
    ],
    [
      'PKI adds x5c',
      { audience: 'a', token_type: 'PKI' },
      (_c, h) => {
        // Leaf, intermediate, root: the shape of Google's chain.
        assert.ok(Array.isArray(h.x5c) && h.x5c.length === 3);
        for (const cert of h.x5c as string[]) assert.match(cert, /^[A-Za-z0-9+/]+=*$/);
      },
    ],
    [
      'field names match case-insensitively (Go)',
      { Audience: 'a', TOKEN_TYPE: 'OIDC' },
      (c) => assert.equal(c.aud, 'a'),
    ],
  ];
  for (const [name, body, check] of good) {
    test(`POST ${name}`, { timeout: 15_000 }, async () => {
      const r = await post(JSON.stringify(body));
      assert.equal(r.status, 200, r.body);
      const jwt = decodeJwt(r.body);
      assert.ok(jwt);
      check(jwt.payload, jwt.header);
    });
  }

  const bad: [string, string, number, string][] = [
    ['empty object', '{}', 400, 'use GET request for the default identity token'],
    [
      'nonces without audience',
      '{"nonces":["12345678"],"token_type":"OIDC"}',
      400,
      'use GET request for the default identity token',
    ],
    ['missing token_type', '{"audience":"a"}', 400, 'token_type is a required parameter'],
    [
      'unknown field',
      '{"audience":"a","token_type":"OIDC","extra":1}',
      400,
      'failed to parse POST body as TokenOptions: json: unknown field "extra"',
    ],
    ['empty body', '', 400, 'failed to parse POST body as TokenOptions: EOF'],
    [
      'not JSON',
      'hello',
      400,
      "failed to parse POST body as TokenOptions: invalid character 'h' looking for beginning of value",
    ],
    [
      'bad literal',
      'nope',
      400,
      "failed to parse POST body as TokenOptions: invalid character 'o' in literal null (expecting 'u')",
    ],
    [
      'truncated JSON',
      '{"audience":',
      400,
      'failed to parse POST body as TokenOptions: unexpected EOF',
    ],
    [
      'audience not a string',
      '{"audience":5,"token_type":"OIDC"}',
      400,
      'failed to parse POST body as TokenOptions: json: cannot unmarshal number into Go struct field TokenOptions.audience of type string',
    ],
    [
      'seven nonces',
      JSON.stringify({
        audience: 'a',
        token_type: 'OIDC',
        nonces: Array.from({ length: 7 }, (_, i) => `nonce-0${i}`),
      }),
      400,
      `${SERVICE}at most 6 nonces are allowed, got 7`,
    ],
    [
      'nonce of 7 bytes',
      '{"audience":"a","token_type":"OIDC","nonces":["1234567"]}',
      400,
      `${SERVICE}nonce must be between 8 and 88 bytes, got 7 bytes`,
    ],
    [
      'nonce of 89 bytes',
      JSON.stringify({ audience: 'a', token_type: 'OIDC', nonces: ['z'.repeat(89)] }),
      400,
      `${SERVICE}nonce must be between 8 and 88 bytes, got 89 bytes`,
    ],
    [
      'audience of 513 bytes',
      JSON.stringify({ audience: 'x'.repeat(513), token_type: 'OIDC' }),
      400,
      `${SERVICE}audience must be at most 512 bytes`,
    ],
    [
      'unknown token_type',
      '{"audience":"a","token_type":"SAML"}',
      400,
      `${SERVICE}unsupported token type: SAML`,
    ],
  ];
  for (const [name, body, status, text] of bad) {
    test(`POST ${name} → ${status}`, { timeout: 15_000 }, async () => {
      assert.deepEqual(await post(body), { status, body: text });
    });
  }

  test('other method and path', { timeout: 15_000 }, async () => {
    assert.deepEqual(await curl(['-X', 'PUT']), {
      status: 400,
      body: 'TEE server received an invalid HTTP method: PUT',
    });
    assert.deepEqual(await curl([], 'http://localhost/v2/token'), {
      status: 404,
      body: '404 page not found\n',
    });
  });

  test(
    'a debug-preset token reports dbgstat enabled and no support_attributes',
    { timeout: 15_000 },
    async () => {
      await emu.attestation.usePreset('debug');
      try {
        const claims = claimsOf((await curl([])).body) as {
          dbgstat: string;
          submods: { confidential_space: Record<string, unknown> };
        };
        assert.equal(claims.dbgstat, 'enabled');
        assert.equal(claims.submods.confidential_space.support_attributes, undefined);
      } finally {
        await emu.attestation.usePreset('production');
      }
    },
  );
});
