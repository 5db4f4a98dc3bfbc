// `teeinit attest verify` through the built CLI against tokens the emulator mints for its
// VMs: OIDC (discovery or --jwks) and PKI (--root or the policy's root), good tokens and
// every refusal with its exit code and reason; the token never appears in any output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, stopStrayClis, type CliResult } from '../cli/cli-helpers.js';
import { freePort } from '../helpers/net.js';
import {
  AUDIENCE,
  DEFAULT_IMAGE_DIGEST,
  PEER_DIGEST,
  startAttestWorld,
  type AttestWorld,
} from './world.js';
import type { MintOptions } from '../../emulator/attestation/authority.js';

const T = { timeout: 30_000 };

describe('teeinit attest verify', { timeout: 240_000 }, () => {
  let world: AttestWorld;
  let n = 0;
  const tokens: string[] = [];
  const file = (name: string, text: string): string => {
    const path = join(world.dir, `${n++}-${name}`);
    writeFileSync(path, text);
    return path;
  };
  const policyFile = (extra: Record<string, unknown> = {}): string =>
    file(
      'policy.json',
      JSON.stringify({
        audience: AUDIENCE,
        imageDigests: [DEFAULT_IMAGE_DIGEST, PEER_DIGEST],
        oidc: { discoveryUrl: world.discoveryUrl },
        pki: { rootFile: world.rootFile },
        ...extra,
      }),
    );
  /** A token from `vm` (default: the main VM) as a file. */
  const tokenFile = async (options: MintOptions = {}, vm?: string): Promise<string> => {
    const controls =
      vm === undefined ? world.emulator.attestation : world.emulator.vms[vm]?.attestation;
    assert.ok(controls);
    const token = await controls.mintToken({
      audience: AUDIENCE,
      nonces: ['00112233445566778899aabbccddeeff'],
      ...options,
    });
    tokens.push(token);
    return file('token.jwt', token + '\n');
  };
  const verify = (...args: string[]): Promise<CliResult> => runCli(['attest', 'verify', ...args]);
  /** The exit code, and no token (nor its signature part) in any output. */
  const expectExit = (r: CliResult, code: number): void => {
    assert.equal(r.code, code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    for (const t of tokens) {
      const signature = t.split('.')[2] ?? t;
      assert.ok(
        !r.stdout.includes(signature) && !r.stderr.includes(signature),
        'a token was printed',
      );
    }
  };
  const refused = async (args: string[], reason: string): Promise<CliResult> => {
    const r = await verify(...args, '--json');
    expectExit(r, 77);
    const out = JSON.parse(r.stdout) as { result: string; reason: string };
    assert.equal(out.result, 'refused');
    assert.equal(out.reason, reason);
    assert.match(r.stderr, new RegExp(`TEEINIT_ATTEST_REFUSED: .*${reason}`));
    return r;
  };

  before(async () => {
    world = await startAttestWorld();
  });
  after(async () => {
    await stopStrayClis();
    await world?.stop();
  });

  test('OIDC, keys from the discovery document: exit 0 and the claims', T, async () => {
    const r = await verify('--token', await tokenFile(), '--policy', policyFile());
    expectExit(r, 0);
    assert.match(r.stdout, /^admitted\n/);
    assert.match(r.stdout, new RegExp(`image digest\\s+${DEFAULT_IMAGE_DIGEST}`));
    assert.match(r.stdout, /dbgstat\s+disabled-since-boot/);
    assert.match(r.stdout, /token type\s+OIDC/);
  });
  test('OIDC, offline with --jwks FILE (no discovery reachable)', T, async () => {
    const jwks = await (await fetch(`${world.emulator.endpoints.issuer}/jwks`)).text();
    const port = await freePort();
    const policy = policyFile({
      oidc: { discoveryUrl: `http://127.0.0.1:${port}/.well-known/openid-configuration` },
    });
    const r = await verify(
      '--token',
      await tokenFile({}, 'peer'),
      '--policy',
      policy,
      '--jwks',
      file('jwks.json', jwks),
      '--json',
    );
    expectExit(r, 0);
    const out = JSON.parse(r.stdout) as {
      result: string;
      claims: { imageDigest: string; tokenType: string };
    };
    assert.equal(out.result, 'admitted');
    assert.equal(out.claims.imageDigest, PEER_DIGEST);
  });
  test("PKI with --root FILE, and with the policy's pki.rootFile", T, async () => {
    const token = await tokenFile({ tokenType: 'PKI' });
    const viaFlag = await verify(
      '--token',
      token,
      '--policy',
      policyFile({ pki: {} }),
      '--root',
      world.rootFile,
    );
    expectExit(viaFlag, 0);
    assert.match(viaFlag.stdout, /token type\s+PKI/);
    expectExit(await verify('--token', token, '--policy', policyFile()), 0);
  });
  test("PKI against Google's root (the default): the emulator chain is refused", T, async () => {
    const r = await refused(
      ['--token', await tokenFile({ tokenType: 'PKI' }), '--policy', policyFile({ pki: {} })],
      'attestation-invalid-signature',
    );
    assert.match(r.stderr, /pinned root/);
  });
  test('--nonce: the token carries it (0) or not (77 not-bound)', T, async () => {
    const token = await tokenFile();
    expectExit(
      await verify(
        '--token',
        token,
        '--policy',
        policyFile(),
        '--nonce',
        '00112233445566778899aabbccddeeff',
      ),
      0,
    );
    await refused(
      ['--token', token, '--policy', policyFile(), '--nonce', 'ffeeddccbbaa99887766554433221100'],
      'attestation-not-bound',
    );
  });
  test('refused: an image digest not on the list', T, async () => {
    const r = await refused(
      ['--token', await tokenFile({}, 'tampered'), '--policy', policyFile()],
      'attestation-policy',
    );
    assert.match(r.stderr, /image digest sha256:[0-9a-f]{64} is not listed/);
  });
  test('refused: a debug image (OIDC and PKI)', T, async () => {
    await refused(
      ['--token', await tokenFile({}, 'debug'), '--policy', policyFile()],
      'attestation-policy',
    );
    const r = await refused(
      ['--token', await tokenFile({ tokenType: 'PKI' }, 'debug'), '--policy', policyFile()],
      'attestation-policy',
    );
    assert.match(r.stderr, /debug image/);
  });
  test('refused: an expired token', T, async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(
      [
        '--token',
        await tokenFile({ iat: now - 7200, exp: now - 3600, nbf: now - 7200 }),
        '--policy',
        policyFile(),
      ],
      'attestation-expired',
    );
  });
  test('refused: a token for another audience', T, async () => {
    const r = await refused(
      ['--token', await tokenFile({ audience: 'https://other.test' }), '--policy', policyFile()],
      'attestation-policy',
    );
    assert.match(r.stderr, /audience https:\/\/other\.test is not/);
  });
  test('refused: a bad signature (OIDC and PKI)', T, async () => {
    await refused(
      ['--token', await tokenFile({ signWith: 'foreign' }), '--policy', policyFile()],
      'attestation-invalid-signature',
    );
    await refused(
      [
        '--token',
        await tokenFile({ signWith: 'foreign', tokenType: 'PKI' }),
        '--policy',
        policyFile(),
      ],
      'attestation-invalid-signature',
    );
  });
  test('keys unavailable: exit 69', T, async () => {
    const port = await freePort();
    const policy = policyFile({
      oidc: { discoveryUrl: `http://127.0.0.1:${port}/.well-known/openid-configuration` },
    });
    const r = await verify('--token', await tokenFile(), '--policy', policy);
    expectExit(r, 69);
    assert.match(r.stderr, /TEEINIT_ATTEST_KEYS_UNAVAILABLE/);
  });
  test(
    'inputs: unreadable token 66, a token file without a JWT 66, an invalid policy 78',
    T,
    async () => {
      const policy = policyFile();
      expectExit(await verify('--token', join(world.dir, 'absent.jwt'), '--policy', policy), 66);
      expectExit(await verify('--token', file('bad.jwt', 'not a token'), '--policy', policy), 66);
      const r = await verify(
        '--token',
        await tokenFile(),
        '--policy',
        file('p.yaml', `audience: ${AUDIENCE}\n`),
      );
      expectExit(r, 78);
      assert.match(r.stderr, /imageDigests: expected at least one of imageDigests/);
    },
  );
  test(
    'usage (64): a repeated option, an extra argument, --jwks with --root, no --policy, no subcommand',
    T,
    async () => {
      const token = await tokenFile();
      const policy = policyFile();
      for (const args of [
        ['attest', 'verify', '--token', token, '--token', token, '--policy', policy],
        ['attest', 'verify', '--token', token, '--policy', policy, 'extra'],
        [
          'attest',
          'verify',
          '--token',
          token,
          '--policy',
          policy,
          '--jwks',
          policy,
          '--root',
          policy,
        ],
        ['attest', 'verify', '--token', token],
        ['attest', '--token', token, '--policy', policy],
        ['attest', 'verify', '--token', token, '--policy', policy, '--nonce', 'not-hex'],
        ['plan', '--token', token],
      ]) {
        const r = await runCli(args);
        expectExit(r, 64);
        assert.match(r.stderr, /TEEINIT_USAGE/);
      }
    },
  );
});
