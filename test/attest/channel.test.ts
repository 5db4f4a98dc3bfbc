// The attested channel over real loopback TLS (mTLS, TLS-PSK, TLS 1.2): evidence from the
// emulator's VMs is accepted when it meets the policy and is bound to the connection, and
// every way it can fail is refused with its own reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenKeeper } from '../../src/attest/token-keeper.js';
import { createPeerVerifier, type PeerVerifier } from '../../src/attest/peer-verifier.js';
import { encodeFrame, FRAME_MAGIC } from '../../src/attest/frame.js';
import { exporterValue, signExporter } from '../../src/attest/binding.js';
import { parsePolicy } from '../../src/attest/load-policy.js';
import {
  attestSide,
  createEphemeralKey,
  exchangeBoth,
  fixedSource,
  type Side,
} from './exchange.js';
import { freePort } from '../helpers/net.js';
import { pairFactory, readBytes, type PairFactory } from './tls-pair.js';
import {
  AUDIENCE,
  DEFAULT_IMAGE_DIGEST,
  PEER_DIGEST,
  policyInput,
  startAttestWorld,
  TAMPERED_IMAGE_DIGEST,
  type AttestWorld,
} from './world.js';

const T = { timeout: 30_000 };

describe('attested channel', { timeout: 240_000 }, () => {
  let world: AttestWorld;
  let mtls: PairFactory;
  let psk: PairFactory;
  let tls12: PairFactory;
  let verifier: PeerVerifier;
  const keepers: TokenKeeper[] = [];

  const keeper = async (
    vm: string | undefined,
    tokenType: 'OIDC' | 'PKI',
    audience = AUDIENCE,
  ): Promise<TokenKeeper> => {
    const socketPath =
      vm === undefined ? world.emulator.socketPath : (world.emulator.vms[vm]?.socketPath ?? '');
    const k = await TokenKeeper.start({ socketPath, audience, tokenType });
    keepers.push(k);
    return k;
  };
  const requireOnly = (): Side => ({ require: verifier, timeoutMs: 5_000 });

  before(async () => {
    world = await startAttestWorld();
    verifier = createPeerVerifier(world.policy);
    mtls = await pairFactory(world, 'mtls');
    psk = await pairFactory(world, 'psk');
    tls12 = await pairFactory(world, 'tls12');
  });
  after(async () => {
    for (const k of keepers) k.stop();
    await Promise.all([mtls?.close(), psk?.close(), tls12?.close()]);
    await world?.stop();
  });

  for (const [kind, tokenType] of [
    ['mtls', 'OIDC'],
    ['psk', 'PKI'],
    ['tls12', 'OIDC'],
  ] as const) {
    test(
      `${kind}: both sides present and require (${tokenType}); bytes after the frames flow`,
      T,
      async () => {
        const factory = { mtls, psk, tls12 }[kind];
        const pair = await factory.connect();
        const serverSide: Side = {
          present: await keeper('peer', tokenType),
          require: verifier,
          timeoutMs: 5_000,
        };
        const clientSide: Side = {
          present: await keeper(undefined, tokenType),
          require: verifier,
          timeoutMs: 5_000,
        };
        const r = await exchangeBoth(pair, serverSide, clientSide);
        assert.equal(r.server.ok, true, JSON.stringify(r.server));
        assert.equal(r.client?.ok, true, JSON.stringify(r.client));
        assert.ok(r.server.ok && r.client?.ok);
        assert.equal(r.server.peer?.imageDigest, DEFAULT_IMAGE_DIGEST);
        assert.equal(r.server.peer?.tokenType, tokenType);
        assert.equal(r.client.peer?.imageDigest, PEER_DIGEST);
        assert.equal(r.client.peer?.dbgstat, 'disabled-since-boot');
        // Application bytes after the exchange reach the other side intact, both ways.
        pair.client.write('PING\r\n');
        pair.server.write('PONG\r\n');
        assert.equal((await readBytes(pair.server, 6)).toString(), 'PING\r\n');
        assert.equal((await readBytes(pair.client, 6)).toString(), 'PONG\r\n');
      },
    );
  }

  test('bytes the client sends right behind its frame are not lost', T, async () => {
    const pair = await mtls.connect();
    const present = await keeper(undefined, 'OIDC');
    const key = present.current();
    assert.ok(key);
    const r = await exchangeBoth(pair, requireOnly(), (client) => {
      const exporter = exporterValue(client);
      const frame = encodeFrame({
        type: 'evidence',
        evidence: {
          token: key.token,
          publicKey: key.key.publicKeyDer,
          signature: signExporter(key.key.privateKey, 'client', exporter),
        },
      });
      client.write(Buffer.concat([frame, Buffer.from('hello behind the frame')]));
    });
    assert.equal(r.server.ok, true, JSON.stringify(r.server));
    assert.equal((await readBytes(pair.server, 22)).toString(), 'hello behind the frame');
  });

  test('a side that only presents reads the peer\'s "none" frame and goes on', T, async () => {
    const pair = await psk.connect();
    const r = await exchangeBoth(pair, requireOnly(), {
      present: await keeper('peer', 'PKI'),
      timeoutMs: 5_000,
    });
    assert.equal(r.server.ok, true, JSON.stringify(r.server));
    assert.equal(r.client?.ok, true);
  });

  test('a side that only presents still refuses a malformed frame from the peer', T, async () => {
    const pair = await mtls.connect();
    const present = await keeper(undefined, 'OIDC');
    const [client] = await Promise.all([
      attestSide(pair.client, { role: 'client', present, timeoutMs: 5_000 }),
      Promise.resolve(
        pair.server.write(Buffer.concat([FRAME_MAGIC, Buffer.from([1, 9, 0, 0, 0, 0])])),
      ),
    ]);
    assert.ok(!client.ok);
    assert.equal(client.refusal.reason, 'attestation-malformed');
  });

  describe('refusals, each with its own reason', () => {
    const refused = async (
      client: Side | Parameters<typeof exchangeBoth>[2],
      reason: string,
      factory: () => PairFactory = () => mtls,
      server: () => Side = requireOnly,
    ) => {
      const pair = await factory().connect();
      const r = await exchangeBoth(pair, server(), client);
      assert.equal(r.server.ok, false, `expected ${reason}, got ok`);
      assert.ok(!r.server.ok);
      assert.equal(r.server.refusal.reason, reason, r.server.refusal.message);
      return r.server.refusal;
    };
    const minted = async (
      options: Parameters<AttestWorld['emulator']['attestation']['mintToken']>[0] = {},
    ) => {
      const key = createEphemeralKey();
      const token = await world.emulator.attestation.mintToken({
        audience: AUDIENCE,
        nonces: [key.nonce],
        tokenType: 'OIDC',
        ...options,
      });
      return fixedSource(token, key);
    };

    test('missing: a client that sends nothing (timeout)', T, async () => {
      const r = await refused(
        () => undefined,
        'attestation-missing',
        () => mtls,
        () => ({ require: verifier, timeoutMs: 500 }),
      );
      assert.match(r.detail, /no complete frame within 500 ms/);
    });
    test('missing: a client that sends application data instead', T, async () => {
      await refused((c) => void c.write('GET / HTTP/1.1\r\n\r\n'), 'attestation-missing');
    });
    test('missing: a client that presents none', T, async () => {
      await refused({ timeoutMs: 5_000 }, 'attestation-missing', () => psk);
    });
    test('missing: a client that closes before its frame', T, async () => {
      await refused((c) => void c.end(), 'attestation-missing');
    });
    test('invalid-signature: a token signed by a key not in the issuer JWKS', T, async () => {
      await refused(
        { present: await minted({ signWith: 'foreign' }), timeoutMs: 5_000 },
        'attestation-invalid-signature',
      );
    });
    test(
      'invalid-signature: a PKI token signed by a foreign key under the real chain',
      T,
      async () => {
        await refused(
          { present: await minted({ signWith: 'foreign', tokenType: 'PKI' }), timeoutMs: 5_000 },
          'attestation-invalid-signature',
          () => psk,
        );
      },
    );
    test('invalid-signature: a PKI token whose chain ends in another root', T, async () => {
      // No pki.rootFile: Google's real root, where the emulator's chain does not end.
      const other = createPeerVerifier(parsePolicy({ ...policyInput(world), pki: {} }, world.dir));
      const r = await refused(
        { present: await minted({ tokenType: 'PKI' }), timeoutMs: 5_000 },
        'attestation-invalid-signature',
        () => mtls,
        () => ({ require: other, timeoutMs: 5_000 }),
      );
      assert.match(r.detail, /pinned root/);
    });
    test('expired: a token whose exp has passed (beyond the skew)', T, async () => {
      const now = Math.floor(Date.now() / 1000);
      await refused(
        {
          present: await minted({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
          timeoutMs: 5_000,
        },
        'attestation-expired',
      );
    });
    test('not-yet-valid: a token issued in the future', T, async () => {
      const now = Math.floor(Date.now() / 1000);
      await refused(
        {
          present: await minted({ iat: now + 600, nbf: now + 600, exp: now + 4200 }),
          timeoutMs: 5_000,
        },
        'attestation-not-yet-valid',
      );
    });
    test(
      'not-bound: token and signature captured on one connection, replayed on another',
      T,
      async () => {
        const present = await keeper(undefined, 'OIDC');
        const first = await mtls.connect();
        let captured: Buffer | undefined;
        first.client.on('data', () => undefined);
        const original = first.client.write.bind(first.client);
        first.client.write = (chunk: Buffer, ...rest: never[]) => {
          captured ??= Buffer.from(chunk);
          return original(chunk, ...rest);
        };
        const ok = await exchangeBoth(first, requireOnly(), { present, timeoutMs: 5_000 });
        assert.equal(ok.server.ok, true, 'the original connection is admitted');
        assert.ok(captured !== undefined && captured.subarray(0, 4).equals(FRAME_MAGIC));
        const frame = captured;
        const r = await refused((c) => void c.write(frame), 'attestation-not-bound');
        assert.match(r.detail, /does not cover this connection/);
        assert.equal(
          r.claims?.imageDigest,
          DEFAULT_IMAGE_DIGEST,
          'the claims are logged with the refusal',
        );
      },
    );
    test("not-bound: the server's own evidence reflected back as the client's", T, async () => {
      const pair = await psk.connect();
      const serverPresent = await keeper('peer', 'OIDC');
      const r = await exchangeBoth(
        pair,
        { present: serverPresent, require: verifier, timeoutMs: 5_000 },
        (client) => {
          client.on('readable', function reflect() {
            const chunk = client.read() as Buffer | null;
            if (chunk !== null) {
              client.off('readable', reflect);
              client.write(chunk);
            }
          });
        },
      );
      assert.ok(!r.server.ok);
      assert.equal(r.server.refusal.reason, 'attestation-not-bound');
    });
    test('not-bound: a token that vouches for another key', T, async () => {
      const source = await minted();
      const other = createEphemeralKey();
      const token = source.current()?.token ?? '';
      await refused(
        { present: fixedSource(token, other), timeoutMs: 5_000 },
        'attestation-not-bound',
      );
    });
    test('policy: an image digest not on the list', T, async () => {
      const r = await refused(
        { present: await keeper('tampered', 'OIDC'), timeoutMs: 5_000 },
        'attestation-policy',
      );
      assert.match(r.detail, /image digest sha256:[0-9a-f]{64} is not listed/);
      assert.equal(r.claims?.imageDigest, TAMPERED_IMAGE_DIGEST);
    });
    test('policy: a debug image', T, async () => {
      const r = await refused(
        { present: await keeper('debug', 'PKI'), timeoutMs: 5_000 },
        'attestation-policy',
        () => psk,
      );
      assert.match(r.detail, /debug image \(dbgstat enabled\)/);
      assert.equal(r.claims?.dbgstat, 'enabled');
    });
    test('policy: a token for another audience', T, async () => {
      const r = await refused(
        { present: await keeper(undefined, 'OIDC', 'https://other.test/aud'), timeoutMs: 5_000 },
        'attestation-policy',
      );
      assert.match(r.detail, /audience https:\/\/other\.test\/aud is not/);
    });
    test('policy: a token type the policy does not accept', T, async () => {
      const oidcOnly = createPeerVerifier(
        parsePolicy({ ...policyInput(world), tokenTypes: ['OIDC'] }, world.dir),
      );
      await refused(
        { present: await keeper(undefined, 'PKI'), timeoutMs: 5_000 },
        'attestation-policy',
        () => mtls,
        () => ({ require: oidcOnly, timeoutMs: 5_000 }),
      );
    });
    test('malformed: an unknown frame version', T, async () => {
      await refused(
        (c) => void c.write(Buffer.concat([FRAME_MAGIC, Buffer.from([9, 1, 0, 0, 0, 0])])),
        'attestation-malformed',
      );
    });
    test('malformed: a body whose fields do not add up', T, async () => {
      const body = Buffer.from([0, 200, 1, 2, 3]);
      const header = Buffer.concat([FRAME_MAGIC, Buffer.from([1, 1, 0, 0, 0, body.length])]);
      await refused((c) => void c.write(Buffer.concat([header, body])), 'attestation-malformed');
    });
    test('malformed: a frame cut short by the peer closing', T, async () => {
      await refused(
        (c) => void c.end(Buffer.concat([FRAME_MAGIC, Buffer.from([1, 1, 0, 0])])),
        'attestation-malformed',
      );
    });
    test('oversize: a header announcing more than the limit is refused unread', T, async () => {
      const r = await refused(
        (c) =>
          void c.write(Buffer.concat([FRAME_MAGIC, Buffer.from([1, 1, 0x7f, 0xff, 0xff, 0xff])])),
        'attestation-oversize',
      );
      assert.match(r.detail, /frame body of 2147483647 bytes/);
    });
    test('keys-unavailable: the issuer discovery document cannot be fetched', T, async () => {
      const closedPort = await freePort(); // reserved, never listened on
      const dead = createPeerVerifier(
        parsePolicy(
          {
            ...policyInput(world),
            oidc: {
              discoveryUrl: `http://127.0.0.1:${closedPort}/.well-known/openid-configuration`,
            },
          },
          world.dir,
        ),
        { fetchTimeoutMs: 2_000 },
      );
      await refused(
        { present: await keeper(undefined, 'OIDC'), timeoutMs: 5_000 },
        'attestation-keys-unavailable',
        () => mtls,
        () => ({ require: dead, timeoutMs: 5_000 }),
      );
    });
    test('missing: a connection already closed when the exchange starts', T, async () => {
      const pair = await mtls.connect();
      pair.server.destroy();
      const outcome = await attestSide(pair.server, {
        role: 'server',
        require: verifier,
        timeoutMs: 5_000,
      });
      assert.ok(!outcome.ok);
      assert.equal(outcome.refusal.reason, 'attestation-missing');
    });
    test(
      'unavailable: a side with no unexpired token refuses to start the exchange',
      T,
      async () => {
        const pair = await mtls.connect();
        const outcome = await attestSide(pair.client, {
          role: 'client',
          present: { current: () => undefined },
          timeoutMs: 5_000,
        });
        assert.ok(!outcome.ok);
        assert.equal(outcome.refusal.reason, 'attestation-unavailable');
      },
    );
  });
});
