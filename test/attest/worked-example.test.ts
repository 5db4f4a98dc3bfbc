// The worked example of docs/attested-channel.md, end to end: the ledger and caller configs
// as the page shows them (retargeted at one emulator run: endpoints, token file, launcher
// socket of each image's emulated VM, Google's root and discovery document, ports, secrets
// directory), two teeinit instances, redis behind the ledger. Traffic flows over mTLS and
// TLS-PSK with attest both ways; everything else is refused at the ledger, each with its own
// reason, before redis sees a connection, and the reasons show in the ledger's /metrics. No
// token, key or secret appears in any output.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { createEphemeralKey, FrameParser } from '../../src/attest/index.js';
import { loadConfigTree } from '../../src/config/index.js';
import type { ProxyConfig } from '../../src/config/types.js';
import { deriveKey } from '../../src/keys/kdf.js';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { runCommand } from '../helpers/command.js';
import { httpGet } from '../helpers/http-get.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { freePort } from '../helpers/net.js';
import { readableDir, type ReadableDir } from '../helpers/other-user.js';
import { pollUntil } from '../helpers/poll.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-parse.js';
import { logRecords, waitRunning, waitServing } from '../examples/checks.js';
import type { ExampleTree } from '../examples/example-config.js';
import { writeConfig } from '../examples/example-config.js';
import {
  killTeeinit,
  scratch,
  startTeeinit,
  type Scratch,
  type TeeinitRun,
} from '../examples/harness.js';
import {
  mintedTokens,
  startExampleWorld,
  STRANGER_DIGEST,
  type ExampleWorld,
} from './example-world.js';
import { proxyConfig } from '../proxy/helpers.js';
import { clientFrame, fixedEvidence, handClient, throughPlain } from './helpers.js';
import { CALLER_DIGEST, EXAMPLE_AUDIENCE, LEDGER_DIGEST, workedExample } from './worked-example.js';

const T = { timeout: 60_000 };
const SERVER_NAME = 'ledger.example.internal';
const PSK_OPTIONS = {
  ciphers: 'TLS_AES_128_GCM_SHA256',
  minVersion: 'TLSv1.3' as const,
  maxVersion: 'TLSv1.3' as const,
};

interface Ports {
  redis: number;
  ledgerMtls: number;
  ledgerPsk: number;
  ledgerStatus: number;
  callerMtls: number;
  callerPsk: number;
}

describe(
  'worked example: a ledger and its caller, attested both ways',
  { timeout: 300_000 },
  () => {
    let work: Scratch;
    let ledgerDirs: Scratch;
    let callerDirs: Scratch;
    let readable: ReadableDir;
    let world: ExampleWorld;
    let ports: Ports;
    let ledger: TeeinitRun;
    let caller: TeeinitRun;
    let psk: Buffer;
    const impostorLog = captureLogger();
    const impostors: RunningProxy[] = [];
    const closers: (() => void)[] = [];
    const outputs: string[] = [];

    /** The shipped tree with the keys a test environment must change, for VM `vm`. */
    const retarget = (tree: ExampleTree, vm: 'ledger' | 'caller', secretsDir: string) => {
      const emulated = world.emulator.vms[vm]!;
      tree.attestation = {
        ...tree.attestation,
        source: 'file',
        tokenFile: emulated.tokenFile,
        socket: emulated.socketPath,
      };
      tree.endpoints = {
        sts: world.emulator.endpoints.sts,
        iamCredentials: world.emulator.endpoints.iamCredentials,
        secretManager: world.emulator.endpoints.secretManager,
      };
      tree.files.dir = secretsDir;
      for (const p of tree.proxies ?? []) {
        // Google's discovery document and root stand for the emulator's.
        const require = (p.attest as { require: Record<string, unknown> }).require;
        require.oidc = { discoveryUrl: world.discoveryUrl };
        require.pki = { rootFile: world.rootFile };
      }
      return tree;
    };

    before(async () => {
      work = scratch('attested');
      ledgerDirs = scratch('attested-ledger');
      callerDirs = scratch('attested-caller');
      readable = await readableDir('teeinit-attested-node-');
      world = await startExampleWorld(work.work);
      ports = {
        redis: await freePort(),
        ledgerMtls: await freePort(),
        ledgerPsk: await freePort(),
        ledgerStatus: await freePort(),
        callerMtls: await freePort(),
        callerPsk: await freePort(),
      };

      const l = retarget(workedExample('ledger'), 'ledger', ledgerDirs.secrets);
      const [mtlsIn, pskIn] = l.proxies ?? [];
      Object.assign(mtlsIn!, {
        listen: `127.0.0.1:${ports.ledgerMtls}`,
        target: `127.0.0.1:${ports.redis}`,
      });
      Object.assign(pskIn!, {
        listen: `127.0.0.1:${ports.ledgerPsk}`,
        target: `127.0.0.1:${ports.redis}`,
      });
      const redis = l.processes[0]!;
      redis.run = redis.run.map((a) => (a === '6379' ? String(ports.redis) : a));
      redis.ready = { tcp: `127.0.0.1:${ports.redis}` };
      l.status = { listen: `127.0.0.1:${ports.ledgerStatus}` };
      ledger = startTeeinit(writeConfig(work.work, l, 'ledger.yaml'));
      await waitRunning(ledger);

      const c = retarget(workedExample('caller'), 'caller', callerDirs.secrets);
      const [mtlsOut, pskOut] = c.proxies ?? [];
      Object.assign(mtlsOut!, {
        listen: `127.0.0.1:${ports.callerMtls}`,
        target: `127.0.0.1:${ports.ledgerMtls}`,
      });
      Object.assign(pskOut!, {
        listen: `127.0.0.1:${ports.callerPsk}`,
        target: `127.0.0.1:${ports.ledgerPsk}`,
      });
      const app = c.processes[0]!;
      app.run = [
        await readable.node(),
        app.run[1]!,
        app.run[2]!.replace('6379', String(ports.callerMtls)),
      ];
      caller = startTeeinit(writeConfig(work.work, c, 'caller.yaml'));
      await waitRunning(caller);

      const spec = loadConfigTree(workedExample('caller'), { baseDir: '/' }).config.keys[
        'session-psk'
      ]!;
      psk = deriveKey('session-psk', spec, [
        { collaborator: 'alice', secret: 'alice-share', raw: Buffer.from(world.shares.alice) },
        { collaborator: 'bob', secret: 'bob-share', raw: Buffer.from(world.shares.bob) },
      ]);
    });

    after(async () => {
      for (const close of closers) close();
      await Promise.all(impostors.map((p) => p.close(200)));
      await killTeeinit(caller);
      await killTeeinit(ledger);
      await world?.emulator.stop();
      for (const d of [work, ledgerDirs, callerDirs]) d?.remove();
      readable?.remove();
    });

    const redisCli = async (port: number, ...args: string[]): Promise<string> => {
      const r = await runCommand(['redis-cli', '-p', String(port), ...args], { timeoutMs: 15_000 });
      return r.stdout.trim();
    };

    test(
      'the caller app gets +PONG from the ledger through the attested mTLS channel',
      T,
      async () => {
        await waitServing(caller, 'the app to log the answer', () =>
          /ledger answered \+PONG/.test(caller.output()),
        );
      },
    );

    test('mtls-client -> mtls-server: redis-cli SET and GET', T, async () => {
      assert.equal(await redisCli(ports.callerMtls, 'SET', 'attested', 'both-ways'), 'OK');
      assert.equal(await redisCli(ports.callerMtls, 'GET', 'attested'), 'both-ways');
    });

    test('psk-client -> psk-server: redis-cli over TLS-PSK', T, async () => {
      assert.equal(await redisCli(ports.callerPsk, 'PING'), 'PONG');
      assert.equal(await redisCli(ports.callerPsk, 'GET', 'attested'), 'both-ways');
    });

    test('each side logs the image the other attested, and the tokens it obtained', T, async () => {
      await pollUntil('closing lines', () =>
        logRecords(ledger).some(
          (r) => r.message === 'proxy connection closed' && r.proxy === 'redis-psk',
        ),
      );
      const closedAt = (run: TeeinitRun, proxy: string) =>
        logRecords(run).filter((r) => r.message === 'proxy connection closed' && r.proxy === proxy);
      for (const proxy of ['redis-mtls', 'redis-psk']) {
        assert.equal(closedAt(ledger, proxy).at(-1)?.imageDigest, CALLER_DIGEST, proxy);
      }
      for (const proxy of ['ledger-mtls', 'ledger-psk']) {
        assert.equal(closedAt(caller, proxy).at(-1)?.imageDigest, LEDGER_DIGEST, proxy);
      }
      const obtained = (run: TeeinitRun) =>
        logRecords(run).filter((r) => r.message === 'attestation token obtained');
      assert.deepEqual([...new Set(obtained(ledger).map((r) => r.tokenType))], ['PKI']);
      assert.deepEqual([...new Set(obtained(caller).map((r) => r.tokenType))], ['OIDC']);
    });

    describe('refused at the ledger, each with its own reason, before redis sees a connection', () => {
      const metrics = async () => {
        const answer = await httpGet(ports.ledgerStatus, '/metrics');
        assert.notEqual(answer, 'refused');
        return answer === 'refused' ? parseExposition('') : parseExposition(answer.body);
      };
      const counter = (
        m: ReturnType<typeof parseExposition>,
        name: string,
        labels: Record<string, string>,
      ) => sampleValue(m, name, labels) ?? 0;
      const established = (m: ReturnType<typeof parseExposition>) =>
        ['redis-mtls', 'redis-psk'].reduce(
          (sum, proxy) =>
            sum +
            counter(m, 'teeinit_proxy_connections_established_total', {
              proxy,
              mode: proxy === 'redis-mtls' ? 'mtls-server' : 'psk-server',
            }),
          0,
        );
      const redisConnections = async (): Promise<number> => {
        const info = await redisCli(ports.redis, 'INFO', 'stats');
        return Number(/total_connections_received:(\d+)/.exec(info)?.[1] ?? NaN);
      };

      /** Runs `act`; the ledger's `proxy` counts one more `reason`, and redis saw no extra connection. */
      async function refusedAt(
        proxy: 'redis-mtls' | 'redis-psk',
        reason: string,
        act: () => Promise<void>,
      ): Promise<Record<string, unknown>> {
        const labels = {
          proxy,
          mode: proxy === 'redis-mtls' ? 'mtls-server' : 'psk-server',
          reason,
        };
        const m1 = await metrics();
        const r1 = await redisConnections();
        await act();
        const m2 = await pollUntil('the refusal counted', async () => {
          const m = await metrics();
          return counter(m, 'teeinit_proxy_connections_rejected_total', labels) >
            counter(m1, 'teeinit_proxy_connections_rejected_total', labels)
            ? m
            : undefined;
        });
        const r2 = await redisConnections();
        // Read after r2: a relay admitted after m2 (the caller app's ping) that redis
        // counted in r2 is counted as established here too (once its redis connection is up).
        const m3 = await metrics();
        assert.equal(
          counter(m2, 'teeinit_proxy_connections_rejected_total', labels) -
            counter(m1, 'teeinit_proxy_connections_rejected_total', labels),
          1,
        );
        // Every redis connection in between (but the INFO one) came through an admitted relay
        // (the caller app's ping may add one): the refused connection never reached redis.
        assert.ok(r2 - r1 - 1 <= established(m3) - established(m1), `redis saw ${r2 - r1 - 1}`);
        const line = logRecords(ledger).findLast(
          (r) =>
            r.message === 'proxy connection refused' && r.reason === reason && r.proxy === proxy,
        );
        assert.ok(line, `a refusal line for ${reason}`);
        return line;
      }

      /** A client proxy run by the test (the real proxy code) presenting from `vm`. */
      const impostor = async (
        config: Partial<ProxyConfig> & Pick<ProxyConfig, 'mode' | 'target'>,
      ) => {
        const material = {
          tls: new Map([
            [
              'caller',
              { certPem: world.caller.cert, keyPem: world.caller.key, caPem: world.ca.cert },
            ],
          ]),
          keys: new Map([['session-psk', psk]]),
          secrets: new Map<string, Buffer>(),
        };
        const p = await startProxy(
          proxyConfig({
            name: `impostor-${impostors.length}`,
            ...config,
            limits: {
              handshakeTimeout: 5_000,
              maxConnections: 16,
              connectTimeout: 5_000,
              maxHandshakesPerSource: 16,
            },
          }),
          material,
          impostorLog.logger,
        );
        impostors.push(p);
        return p;
      };
      const presentFrom = (
        vm: string,
        audience = EXAMPLE_AUDIENCE,
        tokenType: 'OIDC' | 'PKI' = 'OIDC',
      ) => ({
        present: {
          audience,
          tokenType,
          socket: world.emulator.vms[vm]!.socketPath,
          startupDeadline: 10_000,
        },
      });
      const mtlsImpostor = (vm: string, audience?: string) =>
        impostor({
          mode: 'mtls-client',
          target: `127.0.0.1:${ports.ledgerMtls}`,
          tls: 'caller',
          serverName: SERVER_NAME,
          attest: presentFrom(vm, audience),
        });
      const mtlsHand = () =>
        handClient(`127.0.0.1:${ports.ledgerMtls}`, {
          ca: world.ca.cert,
          cert: world.caller.cert,
          key: world.caller.key,
          servername: SERVER_NAME,
        });
      const pskHand = () =>
        handClient(`127.0.0.1:${ports.ledgerPsk}`, {
          ...PSK_OPTIONS,
          pskCallback: () => ({ psk, identity: 'caller' }),
        });
      /** A token minted by the caller's emulated launcher, for a fresh key. */
      const minted = async (
        options: Parameters<ExampleWorld['emulator']['attestation']['mintToken']>[0],
      ) => {
        const key = createEphemeralKey();
        const token = await world.emulator.vms.caller!.attestation.mintToken({
          audience: EXAMPLE_AUDIENCE,
          nonces: [key.nonce],
          tokenType: 'OIDC',
          ...options,
        });
        return fixedEvidence(token, key);
      };

      test('an image on no list (attestation-policy, its digest logged)', T, async () => {
        const p = await mtlsImpostor('stranger');
        const line = await refusedAt('redis-mtls', 'attestation-policy', async () => {
          assert.equal((await throughPlain(p.address, 'PING\r\n', false)).data, '');
        });
        assert.equal(line.imageDigest, STRANGER_DIGEST);
        assert.match(String(line.detail), /image digest .* is not listed/);
      });

      test(
        'a debug build of the caller image (attestation-policy, dbgstat logged)',
        T,
        async () => {
          const p = await impostor({
            mode: 'psk-client',
            target: `127.0.0.1:${ports.ledgerPsk}`,
            identities: { caller: 'session-psk' },
            attest: presentFrom('caller-debug', EXAMPLE_AUDIENCE, 'PKI'),
          });
          const line = await refusedAt('redis-psk', 'attestation-policy', async () => {
            assert.equal((await throughPlain(p.address, 'PING\r\n', false)).data, '');
          });
          assert.equal(line.imageDigest, CALLER_DIGEST);
          assert.equal(line.dbgstat, 'enabled');
          assert.match(String(line.detail), /debug image/);
        },
      );

      test('a token for another audience (attestation-policy)', T, async () => {
        const p = await mtlsImpostor('caller', 'https://elsewhere.example/attested');
        const line = await refusedAt('redis-mtls', 'attestation-policy', async () => {
          assert.equal((await throughPlain(p.address, 'PING\r\n', false)).data, '');
        });
        assert.match(String(line.detail), /audience https:\/\/elsewhere\.example\/attested is not/);
      });

      test('an expired token (attestation-expired)', T, async () => {
        const now = Math.floor(Date.now() / 1000);
        const evidence = await minted({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 });
        await refusedAt('redis-mtls', 'attestation-expired', async () => {
          const c = await mtlsHand();
          c.socket.write(Buffer.concat([clientFrame(c.socket, evidence), Buffer.from('PING\r\n')]));
          const { data } = await c.closed;
          assert.ok(!data.includes('PONG'));
        });
      });

      test(
        'a token signed by a key not in the issuer JWKS (attestation-invalid-signature)',
        T,
        async () => {
          const evidence = await minted({ signWith: 'foreign' });
          await refusedAt('redis-psk', 'attestation-invalid-signature', async () => {
            const c = await pskHand();
            c.socket.write(
              Buffer.concat([clientFrame(c.socket, evidence), Buffer.from('PING\r\n')]),
            );
            const { data } = await c.closed;
            assert.ok(!data.includes('PONG'));
          });
        },
      );

      test(
        'a frame captured on one connection, replayed on another (attestation-not-bound)',
        T,
        async () => {
          // A server holding the ledger's certificate captures the caller's frame...
          let resolveFrame: (frame: Buffer) => void = () => undefined;
          const captured = new Promise<Buffer>((resolve) => (resolveFrame = resolve));
          const trap = createTlsServer(
            {
              cert: world.ledger.cert,
              key: world.ledger.key,
              ca: world.ca.cert,
              requestCert: true,
              rejectUnauthorized: true,
            },
            (s: TLSSocket) => {
              s.on('error', () => undefined);
              const parser = new FrameParser();
              const seen: Buffer[] = [];
              s.on('data', (d: Buffer) => {
                seen.push(d);
                const step = parser.push(d);
                if (step.done) {
                  const all = Buffer.concat(seen);
                  resolveFrame(all.subarray(0, all.length - step.rest.length));
                  s.destroy();
                }
              });
            },
          );
          trap.listen(0, '127.0.0.1');
          await once(trap, 'listening');
          closers.push(() => trap.close());
          const lured = await impostor({
            mode: 'mtls-client',
            target: `127.0.0.1:${(trap.address() as { port: number }).port}`,
            tls: 'caller',
            serverName: SERVER_NAME,
            attest: presentFrom('caller'),
          });
          void throughPlain(lured.address, 'PING\r\n', false);
          const frame = await captured;
          // ...and replays it, with the caller's certificate, on its own connection to the ledger.
          const line = await refusedAt('redis-mtls', 'attestation-not-bound', async () => {
            const c = await mtlsHand();
            c.socket.write(Buffer.concat([frame, Buffer.from('PING\r\n')]));
            const { data } = await c.closed;
            assert.ok(!data.includes('PONG'));
          });
          // The token itself was genuine: its claims are logged.
          assert.equal(line.imageDigest, CALLER_DIGEST);
        },
      );

      for (const kind of ['mtls', 'psk'] as const) {
        test(
          `openssl s_client${kind === 'psk' ? ' -psk' : ''} sends no evidence: closed within handshakeTimeout (attestation-missing)`,
          T,
          async () => {
            const port = kind === 'mtls' ? ports.ledgerMtls : ports.ledgerPsk;
            const files = writeClientFiles();
            const argv =
              kind === 'mtls'
                ? [
                    '-cert',
                    files.cert,
                    '-key',
                    files.key,
                    '-CAfile',
                    files.ca,
                    '-servername',
                    SERVER_NAME,
                  ]
                : [
                    '-tls1_3',
                    '-ciphersuites',
                    'TLS_AES_128_GCM_SHA256',
                    '-psk_identity',
                    'caller',
                    '-psk',
                    psk.toString('hex'),
                  ];
            let elapsed = 0;
            await refusedAt(
              kind === 'mtls' ? 'redis-mtls' : 'redis-psk',
              'attestation-missing',
              async () => {
                const began = Date.now();
                const r = await runCommand(
                  ['openssl', 's_client', '-connect', `127.0.0.1:${port}`, ...argv, '-quiet'],
                  { input: '', keepStdinOpenMs: 25_000, timeoutMs: 30_000 },
                );
                elapsed = Date.now() - began;
                outputs.push(r.stdout, r.stderr);
              },
            );
            // handshakeTimeout is 5s in the ledger's config; a loaded machine gets slack.
            assert.ok(elapsed < 5_000 + 5_000, `closed after ${elapsed} ms`);
          },
        );
      }

      const writeClientFiles = (): { ca: string; cert: string; key: string } => {
        const dir = work.client;
        const files = { ca: `${dir}/ca.crt`, cert: `${dir}/caller.crt`, key: `${dir}/caller.key` };
        for (const [path, body] of [
          [files.ca, world.ca.cert],
          [files.cert, world.caller.cert],
          [files.key, world.caller.key],
        ] as const) {
          writeFileSync(path, body, { mode: 0o600 });
        }
        return files;
      };
    });

    test("every refusal reason is in the ledger's /metrics", T, async () => {
      const answer = await httpGet(ports.ledgerStatus, '/metrics');
      assert.notEqual(answer, 'refused');
      if (answer === 'refused') return;
      const m = parseExposition(answer.body);
      const expected: [string, string][] = [
        ['redis-mtls', 'attestation-policy'],
        ['redis-psk', 'attestation-policy'],
        ['redis-mtls', 'attestation-expired'],
        ['redis-psk', 'attestation-invalid-signature'],
        ['redis-mtls', 'attestation-not-bound'],
        ['redis-mtls', 'attestation-missing'],
        ['redis-psk', 'attestation-missing'],
      ];
      for (const [proxy, reason] of expected) {
        const mode = proxy === 'redis-mtls' ? 'mtls-server' : 'psk-server';
        const value = sampleValue(m, 'teeinit_proxy_connections_rejected_total', {
          proxy,
          mode,
          reason,
        });
        assert.ok((value ?? 0) >= 1, `${proxy} ${reason}: ${value}`);
      }
    });

    test('no token, key or secret value in any output', T, () => {
      const tokens = mintedTokens(world);
      assert.ok(tokens.length > 4, `${tokens.length} tokens minted`);
      const values = [...world.secretValues, psk, ...tokens];
      assertNoSecrets(ledger.output(), values, 'the ledger teeinit output');
      assertNoSecrets(caller.output(), values, 'the caller teeinit output');
      assertNoSecrets(impostorLog.text(), values, 'the test proxies log');
      // A peer that completes the TLS handshake receives the ledger's own token (its frame
      // goes out at once): that is the protocol, and openssl prints it. No key or secret.
      assertNoSecrets(outputs, [...world.secretValues, psk], 'openssl output');
      assert.ok(
        tokens.some((t) => outputs.some((o) => o.includes(t))),
        "openssl received the ledger's token (the scan above would see a key the same way)",
      );
    });
  },
);
