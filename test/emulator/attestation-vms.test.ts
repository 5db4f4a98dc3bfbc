// Several emulated VMs in one run (config `attestation.vms`): each has its own token file
// and teeserver socket with its own claims, all signed by the one issuer key; their paths
// are in endpoints.json, and stop() removes them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { decodeJwt } from '../../emulator/attestation/jwt.js';
import { defaultWorld } from '../../emulator/default-world.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { TeeinitError } from '../../src/errors/index.js';

const OTHER = `sha256:${'e'.repeat(64)}`;
const T = { timeout: 15_000 };

function getToken(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/v1/token', host: 'localhost' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}
const claimsOf = (jwt: string): Record<string, unknown> => {
  const d = decodeJwt(jwt);
  assert.ok(d);
  return d.payload;
};
const digestOf = (c: Record<string, unknown>): unknown =>
  ((c.submods as Record<string, Record<string, unknown>>).container ?? {}).image_digest;

describe('emulator: several attested VMs', () => {
  let emu: RunningEmulator;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-vms-'));
    emu = await startEmulator({
      stateDir: join(dir, 'state'),
      config: {
        ...defaultWorld(),
        attestation: {
          vms: { other: { claims: { imageDigest: OTHER } }, dbg: { preset: 'debug' } },
        },
      },
    });
  });
  after(async () => {
    await emu?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('each VM answers with its own claims; the default VM is unchanged', T, async () => {
    assert.equal(digestOf(claimsOf(await getToken(emu.socketPath))), DEFAULT_IMAGE_DIGEST);
    const other = emu.vms.other;
    const dbg = emu.vms.dbg;
    assert.ok(other && dbg);
    assert.equal(other.socketPath, join(dir, 'state', 'vms', 'other', 'teeserver.sock'));
    assert.equal(digestOf(claimsOf(await getToken(other.socketPath))), OTHER);
    assert.equal(digestOf(claimsOf(await readFile(other.tokenFile, 'utf8'))), OTHER);
    const debug = claimsOf(await getToken(dbg.socketPath));
    assert.equal(debug.dbgstat, 'enabled');
    assert.equal(
      (debug.submods as Record<string, Record<string, unknown>>).confidential_space
        ?.support_attributes,
      undefined,
    );
  });

  test('one issuer key signs every VM; a VM changes its claims alone', T, async () => {
    const other = emu.vms.other;
    assert.ok(other);
    assert.equal(other.attestation.kid, emu.attestation.kid);
    await other.attestation.setClaims({ hwmodel: 'GCP_INTEL_TDX' });
    assert.equal(claimsOf(await readFile(other.tokenFile, 'utf8')).hwmodel, 'GCP_INTEL_TDX');
    assert.equal(claimsOf(await readFile(emu.tokenFile, 'utf8')).hwmodel, 'GCP_AMD_SEV');
  });

  test('endpoints.json lists the VM paths; the PKI root is served', T, async () => {
    const endpoints = JSON.parse(
      await readFile(join(dir, 'state', 'endpoints.json'), 'utf8'),
    ) as Record<string, string>;
    assert.equal(endpoints['vms.dbg.socketPath'], emu.vms.dbg?.socketPath);
    assert.equal(endpoints['vms.other.tokenFile'], emu.vms.other?.tokenFile);
    const root = await (
      await fetch(`${emu.endpoints.issuer}/.well-known/confidential_space_root.crt`)
    ).text();
    assert.match(root, /^-----BEGIN CERTIFICATE-----\n/);
  });

  test('stop() removes the VM directories', T, async () => {
    const second = await startEmulator({
      stateDir: join(dir, 'second'),
      config: { ...defaultWorld(), attestation: { vms: { a: {} } } },
    });
    assert.ok(existsSync(join(dir, 'second', 'vms', 'a', 'teeserver.sock')));
    await second.stop();
    assert.equal(existsSync(join(dir, 'second', 'vms')), false);
  });

  test('a VM name that is not a directory name is refused', T, async () => {
    await assert.rejects(
      startEmulator({
        stateDir: join(dir, 'bad'),
        config: { attestation: { vms: { '../x': {} } } },
      }),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_CONFIG_INVALID' &&
        /attestation\.vms/.test(e.message),
    );
  });
});
