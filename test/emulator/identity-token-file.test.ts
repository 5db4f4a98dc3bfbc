// The attestation token file: present at start, replaced atomically (a reader never sees a
// partial file), refreshed at ~0.8 of the token lifetime, rewritten at once on a claims
// change; and the state files startEmulator writes and removes.
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from '../../emulator/attestation/jwt.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

let emu: RunningEmulator;
let dir: string;

async function readClaims(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  const jwt = decodeJwt(text);
  assert.ok(jwt, `token file holds a complete JWT (${text.length} bytes)`);
  assert.equal(text, text.trim());
  return jwt.payload;
}

describe('identity: attestation token file', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-file-'));
    emu = await startEmulator({ stateDir: join(dir, 'new', 'state'), tokenLifetimeSeconds: 2 });
  });
  after(async () => {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('exists at start with the configured lifetime', { timeout: 10_000 }, async () => {
    assert.equal(emu.tokenFile, join(dir, 'new', 'state', 'attestation_verifier_claims_token'));
    const claims = await readClaims(emu.tokenFile);
    assert.equal((claims.exp as number) - (claims.iat as number), 2);
    assert.equal((await stat(emu.tokenFile)).mode & 0o777, 0o644);
  });

  test('refreshed before expiry; every read sees a whole token', { timeout: 15_000 }, async (t) => {
    // Hold the first file open: a rename leaves it whole under the open handle (an in-place
    // rewrite would not), and its inode cannot be reused while it is open.
    const held = await open(emu.tokenFile, 'r');
    t.after(() => held.close());
    const readHeld = async (): Promise<string> => {
      const { size } = await held.stat();
      const { buffer, bytesRead } = await held.read(Buffer.alloc(size), 0, size, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    };
    const first = await readHeld();
    const firstInode = (await held.stat()).ino;
    const seen = new Set<string>([first]);
    const deadline = Date.now() + 8_000;
    while (seen.size < 3 && Date.now() < deadline) {
      // Never expired when read: rewritten at 0.8 of the lifetime. Compared with the time the
      // read began: a read that a loaded machine stalls would otherwise age the token it got.
      const readAt = Date.now();
      const claims = await readClaims(emu.tokenFile);
      assert.ok(
        (claims.exp as number) * 1000 > readAt - 1000,
        `exp ${String(claims.exp)}, read at ${readAt}`,
      );
      seen.add(await readFile(emu.tokenFile, 'utf8'));
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(seen.size >= 3, `saw ${seen.size} distinct tokens`);
    assert.notEqual((await stat(emu.tokenFile)).ino, firstInode, 'replaced by rename');
    assert.equal(await readHeld(), first, 'the old file was never written in place');
  });

  test('a claims change rewrites the file at once', { timeout: 10_000 }, async () => {
    await emu.attestation.setClaims({
      instanceId: '4242',
      googleServiceAccounts: ['x@op.iam.gserviceaccount.com'],
    });
    const claims = (await readClaims(emu.tokenFile)) as {
      submods: { gce: { instance_id: string } };
      google_service_accounts: string[];
    };
    assert.equal(claims.submods.gce.instance_id, '4242');
    assert.deepEqual(claims.google_service_accounts, ['x@op.iam.gserviceaccount.com']);
    await emu.attestation.usePreset('tampered');
    const tampered = (await readClaims(emu.tokenFile)) as {
      submods: { container: { image_digest: string }; gce: { instance_id: string } };
    };
    assert.equal(tampered.submods.container.image_digest, emu.attestation.settings.imageDigest);
    assert.equal(tampered.submods.gce.instance_id, '1483152313261302464');
  });

  test(
    'state files: endpoints.json and a 0600 admin token; removed on stop',
    { timeout: 15_000 },
    async () => {
      const other = await startEmulator({ stateDir: join(dir, 'other') });
      const endpoints = JSON.parse(
        await readFile(join(other.stateDir, 'endpoints.json'), 'utf8'),
      ) as Record<string, string>;
      for (const name of [
        'issuer',
        'sts',
        'iamCredentials',
        'secretManager',
        'metadata',
        'admin',
      ] as const) {
        assert.equal(endpoints[name], other.endpoints[name]);
        assert.match(endpoints[name] ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
      }
      assert.equal(endpoints.tokenFile, other.tokenFile);
      assert.equal(endpoints.socketPath, other.socketPath);
      const tokenPath = join(other.stateDir, 'admin-token');
      assert.equal((await stat(tokenPath)).mode & 0o777, 0o600);
      assert.equal(await readFile(tokenPath, 'utf8'), other.adminToken);
      await other.stop();
      for (const f of [
        'endpoints.json',
        'admin-token',
        'teeserver.sock',
        'attestation_verifier_claims_token',
      ]) {
        await assert.rejects(stat(join(other.stateDir, f)), { code: 'ENOENT' });
      }
    },
  );
});
