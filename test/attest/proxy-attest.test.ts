// The proxies with `attest`, in process against one emulator run with several VMs: all four
// modes and both token types relay only after the evidence checked out; a client proxy
// refuses a server whose evidence fails (or that sends none) before any local byte is
// forwarded; an SNI entry's own policy; start-up fails closed without a token; OIDC keys
// that cannot be fetched refuse connections until they can; the token is replaced before
// it expires.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { spkiSha256 } from '../../emulator/pki.js';
import { parsePolicy } from '../../src/attest/index.js';
import type { ProxyConfig } from '../../src/config/types.js';
import { TeeinitError } from '../../src/errors/index.js';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { canConnect, freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import {
  makePki,
  NO_RULES,
  pkiMaterial,
  proxyConfig,
  removePki,
  type TestPki,
} from '../proxy/helpers.js';
import {
  attestBoth,
  echoRoundTrip,
  handClient,
  presentFrom,
  startCountingEcho,
  throughPlain,
  type CountingEcho,
} from './helpers.js';
import {
  DEFAULT_IMAGE_DIGEST,
  PEER_DIGEST,
  policyInput,
  startAttestWorld,
  type AttestWorld,
} from './world.js';

const T = { timeout: 40_000 };
const PSK_KEY = Buffer.alloc(32, 9);

describe('proxies with attest (in process)', { timeout: 300_000 }, () => {
  let world: AttestWorld;
  let pki: TestPki;
  let echo: CountingEcho;
  const log = captureLogger();
  const running: RunningProxy[] = [];
  const cleanups: (() => void)[] = [];

  const material = () => pkiMaterial(pki, { k: PSK_KEY }, { 'alice-ca': Buffer.from(pki.ca.cert) });
  /** A proxy started by a test is closed by the after hook whatever the test asserts. */
  const keep = (p: RunningProxy): RunningProxy => {
    running.push(p);
    return p;
  };
  const start = async (config: ProxyConfig): Promise<RunningProxy> =>
    keep(await startProxy(config, material(), log.logger));
  /** A server proxy of `kind` in front of the echo target, and a client proxy to it. */
  const pair = async (
    kind: 'mtls' | 'psk',
    server: ProxyConfig['attest'],
    client: ProxyConfig['attest'],
    extra: { server?: Partial<ProxyConfig>; client?: Partial<ProxyConfig> } = {},
  ): Promise<{ server: RunningProxy; client: RunningProxy }> => {
    const s = await start(
      proxyConfig({
        name: `${kind}-in`,
        mode: `${kind}-server`,
        target: echo.address,
        ...(kind === 'mtls'
          ? { tls: 'server', authorize: { commonNames: ['client1'] } }
          : { identities: { c: 'k' } }),
        ...(server === undefined ? {} : { attest: server }),
        ...extra.server,
      }),
    );
    const c = await start(
      proxyConfig({
        name: `${kind}-out`,
        mode: `${kind}-client`,
        target: s.address,
        ...(kind === 'mtls'
          ? { tls: 'client', serverName: 'localhost' }
          : { identities: { c: 'k' } }),
        ...(client === undefined ? {} : { attest: client }),
        ...extra.client,
      }),
    );
    return { server: s, client: c };
  };

  before(async () => {
    world = await startAttestWorld();
    pki = await makePki();
    echo = await startCountingEcho();
  });
  after(async () => {
    for (const c of cleanups) c();
    await Promise.all(running.map((p) => p.close(200)));
    await echo?.close();
    await world?.stop();
    removePki(pki);
  });

  for (const [kind, tokenType] of [
    ['mtls', 'OIDC'],
    ['mtls', 'PKI'],
    ['psk', 'PKI'],
    ['psk', 'OIDC'],
  ] as const) {
    test(
      `${kind}-client -> ${kind}-server, both present and require (${tokenType})`,
      T,
      async () => {
        const { server, client } = await pair(
          kind,
          attestBoth(world, 'peer', tokenType),
          attestBoth(world, undefined, tokenType),
        );
        const text = `hello ${kind} ${tokenType}\n`;
        assert.equal(await echoRoundTrip(client.address, text), text);
        await pollUntil(
          'both closed',
          () => server.stats().open === 0 && client.stats().open === 0,
        );
        assert.equal(server.stats().established, 1);
        assert.equal(client.stats().established, 1);
        assert.deepEqual(server.stats().rejected, {});
        // Each side's closing line names the image the other side attested.
        const closed = log
          .records()
          .filter((r) => r.message === 'proxy connection closed' && r.proxy === server.name);
        assert.equal(closed.at(-1)?.imageDigest, DEFAULT_IMAGE_DIGEST);
        const closedOut = log
          .records()
          .filter((r) => r.message === 'proxy connection closed' && r.proxy === client.name);
        assert.equal(closedOut.at(-1)?.imageDigest, PEER_DIGEST);
        await Promise.all([client.close(200), server.close(200)]);
      },
    );
  }

  test('one side presents, the other requires (each direction)', T, async () => {
    const a = await pair('psk', { present: presentFrom(world, 'peer') }, { require: world.policy });
    assert.equal(await echoRoundTrip(a.client.address, 'server attests\n'), 'server attests\n');
    const b = await pair(
      'mtls',
      { require: world.policy },
      { present: presentFrom(world, undefined, 'OIDC') },
    );
    assert.equal(await echoRoundTrip(b.client.address, 'client attests\n'), 'client attests\n');
    for (const p of [a.client, a.server, b.client, b.server]) await p.close(200);
  });

  describe('client modes refuse the server before any local byte is forwarded', () => {
    test(
      'mtls-client: a debug-image server (attestation-policy, its claims logged)',
      T,
      async () => {
        const { server, client } = await pair(
          'mtls',
          { present: presentFrom(world, 'debug') },
          { require: world.policy },
        );
        const r = await throughPlain(client.address, 'must not arrive\n', false);
        assert.equal(r.data, '');
        assert.equal(client.stats().rejected['attestation-policy'], 1);
        assert.equal(client.stats().established, 0);
        // The server (present only) admitted us, but the local client's bytes never left.
        assert.ok(!echo.received.includes('must not arrive'));
        const line = log
          .records()
          .find((x) => x.reason === 'attestation-policy' && x.proxy === client.name);
        assert.ok(line, 'a refusal line');
        assert.equal(line.dbgstat, 'enabled');
        assert.match(String(line.detail), /debug image/);
        assert.equal(line.target, server.address);
        await Promise.all([client.close(200), server.close(200)]);
      },
    );

    test(
      'psk-client: a server that sends no evidence (attestation-missing, within the handshake timeout)',
      T,
      async () => {
        // A TLS-PSK server that completes the handshake and records what it receives.
        let received = Buffer.alloc(0);
        const plain: TlsServer = createTlsServer(
          {
            ciphers: 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256',
            minVersion: 'TLSv1.3',
            maxVersion: 'TLSv1.3',
            pskCallback: (_s, id) => (id === 'c' ? PSK_KEY : null),
          },
          (s) => {
            s.on('error', () => undefined);
            s.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
          },
        );
        plain.listen(0, '127.0.0.1');
        await once(plain, 'listening');
        const port = (plain.address() as { port: number }).port;
        const client = await start(
          proxyConfig({
            name: 'psk-out-plain',
            mode: 'psk-client',
            target: `127.0.0.1:${port}`,
            identities: { c: 'k' },
            limits: { connectTimeout: 1000, handshakeTimeout: 1500 },
            attest: attestBoth(world, undefined),
          }),
        );
        const r = await throughPlain(client.address, 'local secret bytes\n', false);
        assert.equal(r.data, '');
        assert.ok(r.ms < 2500 + 2000, `closed after ${r.ms} ms`);
        assert.equal(client.stats().rejected['attestation-missing'], 1);
        // The server saw our evidence frame, never the local client's bytes.
        assert.equal(received.subarray(0, 4).toString(), 'TEEA');
        assert.ok(!received.includes('local secret bytes'));
        plain.close();
        await client.close(200);
      },
    );
  });

  test(
    "mtls-server: an SNI entry has its own policy, the proxy's applies without one",
    T,
    async () => {
      const onlyPeer = parsePolicy(
        { ...policyInput(world), imageDigests: [PEER_DIGEST] },
        world.dir,
      );
      const server = await start(
        proxyConfig({
          name: 'sni-in',
          mode: 'mtls-server',
          target: echo.address,
          tls: 'server',
          authorize: { commonNames: ['client1'] },
          sniCa: {
            'alice.example': {
              ca: 'alice-ca',
              authorize: { ...NO_RULES, commonNames: ['client1'] },
              attest: { require: onlyPeer },
            },
          },
          attest: { require: world.policy },
        }),
      );
      const pin = spkiSha256(pki.server.cert);
      const client = (name: string, serverName?: string) =>
        start(
          proxyConfig({
            name,
            mode: 'mtls-client',
            target: server.address,
            tls: 'client',
            ...(serverName === undefined ? {} : { serverName }),
            authorize: { spkiSha256: [pin] },
            attest: { present: presentFrom(world, undefined) },
          }),
        );
      // The default image is on the proxy's list, not on alice.example's.
      const viaAlice = await client('via-alice', 'alice.example');
      assert.equal((await throughPlain(viaAlice.address, 'x\n')).data, '');
      assert.equal(server.stats().rejected['attestation-policy'], 1);
      const line = log
        .records()
        .find((x) => x.reason === 'attestation-policy' && x.proxy === 'sni-in');
      assert.equal(line?.sni, 'alice.example');
      assert.match(String(line?.detail), /image digest .* is not listed/);
      const direct = await client('direct');
      assert.equal(await echoRoundTrip(direct.address, 'y\n'), 'y\n');
      await Promise.all([viaAlice.close(200), direct.close(200), server.close(200)]);
    },
  );

  test(
    'a silent TLS client is closed within handshakeTimeout; the target is never dialled',
    T,
    async () => {
      const before = echo.connections;
      const server = await start(
        proxyConfig({
          name: 'silent-in',
          mode: 'mtls-server',
          target: echo.address,
          tls: 'server',
          authorize: { commonNames: ['client1'] },
          limits: { handshakeTimeout: 1500 },
          attest: { require: world.policy },
        }),
      );
      const c = await handClient(server.address, {
        ca: pki.ca.cert,
        cert: pki.client.cert,
        key: pki.client.key,
        servername: 'localhost',
      });
      const { data, ms } = await c.closed;
      assert.ok(ms >= 1000 && ms < 1500 + 2000, `closed after ${ms} ms`);
      // The server's own "none" frame is all it sent.
      assert.equal(data.length, 10);
      assert.equal(server.stats().rejected['attestation-missing'], 1);
      assert.equal(echo.connections, before);
      await server.close(200);
    },
  );

  test(
    "a connection keeps its source's handshake slot until its evidence is checked",
    T,
    async () => {
      const server = await start(
        proxyConfig({
          name: 'slot-in',
          mode: 'mtls-server',
          target: echo.address,
          tls: 'server',
          authorize: { commonNames: ['client1'] },
          limits: { handshakeTimeout: 3000, maxHandshakesPerSource: 1 },
          attest: { require: world.policy },
        }),
      );
      const tlsOptions = {
        ca: pki.ca.cert,
        cert: pki.client.cert,
        key: pki.client.key,
        servername: 'localhost',
      };
      // TLS done, evidence not sent: the slot of 127.0.0.1 is still taken.
      const silent = await handClient(server.address, tlsOptions);
      // The server's "none" frame: it has completed the handshake and waits for ours.
      await once(silent.socket, 'data');
      await assert.rejects(handClient(server.address, tlsOptions));
      assert.equal(server.stats().rejected['handshakes-per-source'], 1);
      await silent.closed;
      assert.equal(server.stats().rejected['attestation-missing'], 1);
      // Refused: the slot is free again.
      const next = await handClient(server.address, tlsOptions);
      next.socket.destroy();
      await server.close(200);
    },
  );

  describe('start-up', () => {
    test('fails closed: no token within present.startupDeadline, nothing listens', T, async () => {
      const port = await freePort();
      world.emulator.teeserver.failNext(1_000);
      const began = Date.now();
      try {
        await assert.rejects(
          startProxy(
            proxyConfig({
              name: 'no-token',
              mode: 'psk-server',
              listen: `127.0.0.1:${port}`,
              target: echo.address,
              identities: { c: 'k' },
              attest: { present: { ...presentFrom(world, undefined), startupDeadline: 2_500 } },
            }),
            material(),
            log.logger,
          ).then(keep),
          (e: unknown) =>
            e instanceof TeeinitError &&
            e.code === 'TEEINIT_TOKEN_UNAVAILABLE' &&
            /proxies\.no-token\.attest\.present\.startupDeadline/.test(e.message),
        );
      } finally {
        world.emulator.teeserver.failNext(0);
      }
      assert.ok(Date.now() - began < 2_500 + 10_000);
      assert.equal(await canConnect(port), false, 'nothing listens');
    });

    test(
      "a policy's root file that cannot be read fails the start (TEEINIT_ATTEST_INPUT), nothing listens",
      T,
      async () => {
        const port = await freePort();
        const broken = parsePolicy(
          { ...policyInput(world), pki: { rootFile: 'missing-root.pem' } },
          world.dir,
        );
        await assert.rejects(
          startProxy(
            proxyConfig({
              name: 'no-root',
              mode: 'psk-server',
              listen: `127.0.0.1:${port}`,
              target: echo.address,
              identities: { c: 'k' },
              attest: { require: broken },
            }),
            material(),
            log.logger,
          ).then(keep),
          (e: unknown) =>
            e instanceof TeeinitError &&
            e.code === 'TEEINIT_ATTEST_INPUT' &&
            e.message.startsWith('proxies.no-root.attest.require: ') &&
            e.message.includes('missing-root.pem'),
        );
        assert.equal(await canConnect(port), false, 'nothing listens');
      },
    );

    test('a start waiting for the launcher ends when its signal aborts', T, async () => {
      const controller = new AbortController();
      const reason = new Error('cancelled by the test');
      const startup = startProxy(
        proxyConfig({
          name: 'aborted',
          mode: 'psk-client',
          target: '127.0.0.1:9',
          identities: { c: 'k' },
          attest: {
            present: { ...presentFrom(world, undefined), socket: `${world.dir}/none.sock` },
          },
        }),
        material(),
        log.logger,
        { signal: controller.signal },
      ).then(keep);
      await pollUntil('a failed attempt', () =>
        log
          .records()
          .some(
            (r) =>
              r.message === 'attestation token request failed; retrying' && r.proxy === 'aborted',
          ),
      );
      const began = Date.now();
      controller.abort(reason);
      await assert.rejects(startup, (e) => e === reason);
      assert.ok(Date.now() - began < 1_000);
    });

    test(
      'OIDC keys that cannot be fetched: started, refused with keys-unavailable until they can',
      T,
      async () => {
        // A discovery document behind a switch: 503 until `open`.
        let open = false;
        const gate: HttpServer = createHttpServer((_req, res) => {
          if (!open) {
            res.writeHead(503).end('down');
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              issuer: 'https://confidentialcomputing.googleapis.com',
              jwks_uri: `${world.emulator.endpoints.issuer}/jwks`,
            }),
          );
        });
        gate.listen(0, '127.0.0.1');
        await once(gate, 'listening');
        const discoveryUrl = `http://127.0.0.1:${(gate.address() as { port: number }).port}/.well-known/openid-configuration`;
        const policy = parsePolicy({ ...policyInput(world), oidc: { discoveryUrl } }, world.dir);
        const { server, client } = await pair(
          'psk',
          { require: policy },
          { present: presentFrom(world, undefined, 'OIDC') },
        );
        assert.ok(
          log
            .records()
            .some(
              (r) =>
                r.proxy === server.name && /attestation keys unavailable/.test(String(r.message)),
            ),
          'a warning at start-up',
        );
        assert.equal((await throughPlain(client.address, 'a\n')).data, '');
        assert.equal(server.stats().rejected['attestation-keys-unavailable'], 1);
        open = true;
        // Within the 5 s failure backoff connections are refused at once; then admitted.
        const answer = await pollUntil(
          'admitted once the keys are fetched',
          async () => ((await echoRoundTrip(client.address, 'b\n')) === 'b\n' ? true : undefined),
          15_000,
        );
        assert.equal(answer, true);
        gate.close();
        await Promise.all([client.close(200), server.close(200)]);
      },
    );
  });
});

describe('the token is replaced before it expires', { timeout: 120_000 }, () => {
  test(
    'connections after the first token expired are still admitted',
    { timeout: 60_000 },
    async () => {
      const world = await startAttestWorld(4);
      const pki = await makePki();
      const echo = await startCountingEcho();
      const log = captureLogger();
      const material = pkiMaterial(pki, { k: PSK_KEY });
      const strict = parsePolicy({ ...policyInput(world), clockSkew: 0 }, world.dir);
      const server = await startProxy(
        proxyConfig({
          name: 'short-in',
          mode: 'psk-server',
          target: echo.address,
          identities: { c: 'k' },
          attest: { present: presentFrom(world, 'peer'), require: strict },
        }),
        material,
        log.logger,
      );
      const client = await startProxy(
        proxyConfig({
          name: 'short-out',
          mode: 'psk-client',
          target: server.address,
          identities: { c: 'k' },
          attest: { present: presentFrom(world, undefined), require: strict },
        }),
        material,
        log.logger,
      );
      try {
        const obtained = (): number =>
          log
            .records()
            .filter((r) => r.message === 'attestation token obtained' && r.proxy === 'short-in')
            .length;
        const began = Date.now();
        assert.equal(await echoRoundTrip(client.address, 'first\n'), 'first\n');
        // Past the first tokens' 4 s lifetime (no skew): only refreshed tokens pass. The
        // server replaces its token every 2 s (half its lifetime) after the last one came:
        // its third token, fetched twice since its start, is waited for, not assumed to be
        // there 5 s after `began` (each fetch takes longer on a loaded machine).
        await pollUntil(
          '5 s later, and the server on its third token',
          () => Date.now() - began > 5_000 && obtained() >= 3,
          15_000,
        );
        assert.equal(await echoRoundTrip(client.address, 'later\n'), 'later\n');
        assert.deepEqual(server.stats().rejected, {});
      } finally {
        await client.close(200);
        await server.close(200);
        await echo.close();
        await world.stop();
        removePki(pki);
      }
    },
  );
});
