// IAM propagation in the emulator: a binding changed while it runs (seed, the secrets and
// iam CLIs, setIamPolicy) takes effect only after the configured delay, grants and removals
// alike, on secrets and on service accounts (impersonation); bindings present at start are
// in effect at once. The emulator's clock is moved by the test, so the delay is exact.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { imagePrincipalSet } from '../../emulator/default-world.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { parseSeedDocument } from '../../emulator/seed/apply.js';
import { runSecretsCli } from '../../emulator/seed/cli.js';
import { exchangeFields, exchangeForm } from './sts-fixture.js';

const T = { timeout: 30_000 };
const DELAY = 60;
const ALICE_SET = imagePrincipalSet('111111111111', 'cs-pool', DEFAULT_IMAGE_DIGEST);
const ACCESSOR = 'roles/secretmanager.secretAccessor';
const WI_USER = 'roles/iam.workloadIdentityUser';
const READER = 'reader@alice-proj.iam.gserviceaccount.com';
const LATE = 'late@alice-proj.iam.gserviceaccount.com';

describe('IAM propagation of binding changes', () => {
  let emu: RunningEmulator;
  let dir: string;
  let clock = Date.parse('2026-03-01T00:00:00Z');
  const cli = async (...argv: string[]) => {
    const err: string[] = [];
    const out: Buffer[] = [];
    const io = {
      out: (c: string | Uint8Array) => void out.push(Buffer.from(c)),
      err: (l: string) => void err.push(l),
      stdin: () => Promise.resolve(Buffer.alloc(0)),
    };
    const code = await runSecretsCli([...argv, '--emulator-state', emu.stateDir], io);
    return { code, err: err.join('\n'), out: Buffer.concat(out).toString() };
  };
  /** A federated token of the demo image in alice's pool (minted at the current clock). */
  const stsToken = async (): Promise<string> => {
    const subject = await emu.attestation.mintToken();
    const r = await exchangeForm(emu, exchangeFields(subject, emu.providerAudience('alice-proj')));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return String(r.body.access_token);
  };
  const access = async (secret: string): Promise<number> => {
    const res = await fetch(
      `${emu.endpoints.secretManager}/v1/projects/alice-proj/secrets/${secret}/versions/1:access`,
      { headers: { authorization: `Bearer ${await stsToken()}` } },
    );
    await res.arrayBuffer();
    return res.status;
  };
  const impersonate = async (email: string): Promise<number> => {
    const res = await fetch(
      `${emu.endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${email}:generateAccessToken`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await stsToken()}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ scope: ['https://www.googleapis.com/auth/cloud-platform'] }),
      },
    );
    await res.arrayBuffer();
    return res.status;
  };
  const advance = (seconds: number): void => {
    clock += seconds * 1000;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-iam-prop-'));
    emu = await startEmulator({
      stateDir: join(dir, 'state'),
      now: () => clock,
      iamPropagationSeconds: DELAY,
    });
  });
  after(async () => {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('bindings present at start are in effect at once', T, async () => {
    assert.equal(await impersonate(READER), 200);
  });

  test('a grant seeded into the running emulator takes effect after the delay', T, async () => {
    const file = join(dir, 'seed.yaml');
    await writeFile(
      file,
      [
        'secrets:',
        '  - project: alice-proj',
        '    id: late-key',
        '    versions: [{ data: "late" }]',
        `    bindings: [{ role: ${ACCESSOR}, members: ["${ALICE_SET}"] }]`,
        'serviceAccounts:',
        `  - email: ${LATE}`,
        '',
      ].join('\n'),
    );
    const seeded = await cli('seed', file);
    assert.equal(seeded.code, 0, seeded.err);
    assert.match(seeded.err, /1 service account\(s\)/);
    assert.match(seeded.err, new RegExp(`New IAM bindings take effect in ${DELAY} s`));
    assert.equal(await access('late-key'), 403);
    advance(DELAY - 1);
    assert.equal(await access('late-key'), 403);
    advance(1);
    assert.equal(await access('late-key'), 200);
  });

  test('a removal keeps access until the delay is over', T, async () => {
    const removed = await cli(
      'secrets',
      'remove-iam-policy-binding',
      'late-key',
      '--project',
      'alice-proj',
      '--member',
      ALICE_SET,
      '--role',
      ACCESSOR,
    );
    assert.equal(removed.code, 0, removed.err);
    assert.doesNotMatch(removed.out, /secretAccessor/, 'getIamPolicy shows the change at once');
    assert.equal(await access('late-key'), 200);
    advance(DELAY);
    assert.equal(await access('late-key'), 403);
  });

  test('impersonation: grant and removal on a service account propagate', T, async () => {
    assert.equal(await impersonate(LATE), 403);
    const bind = (verb: string, email: string) =>
      cli('iam', 'service-accounts', verb, email, '--member', ALICE_SET, '--role', WI_USER);
    const granted = await bind('add-iam-policy-binding', LATE);
    assert.equal(granted.code, 0, granted.err);
    assert.match(granted.out, /workloadIdentityUser/);
    assert.equal(await impersonate(LATE), 403);
    advance(DELAY);
    assert.equal(await impersonate(LATE), 200);
    const revoked = await bind('remove-iam-policy-binding', READER);
    assert.equal(revoked.code, 0, revoked.err);
    assert.equal(await impersonate(READER), 200);
    advance(DELAY);
    assert.equal(await impersonate(READER), 403);
    const policy = await cli('iam', 'service-accounts', 'get-iam-policy', READER);
    assert.equal(policy.code, 0, policy.err);
    assert.doesNotMatch(policy.out, /workloadIdentityUser/);
    const missing = await bind('remove-iam-policy-binding', READER);
    assert.equal(missing.code, 78);
    assert.match(missing.err, /Policy binding with the specified principal and role not found/);
  });

  test('the switch: /admin/iam sets the delay, 0 applies changes at once', T, async () => {
    const admin = async (method: string, body?: unknown) => {
      const res = await fetch(`${emu.endpoints.admin}/admin/iam`, {
        method,
        headers: { authorization: `Bearer ${emu.adminToken}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    assert.deepEqual(await admin('GET'), { status: 200, body: { propagationSeconds: DELAY } });
    assert.equal((await admin('POST', { propagationSeconds: -1 })).status, 400);
    assert.equal((await admin('POST', { propagationSeconds: 0 })).status, 200);
    assert.equal(emu.iam.propagationSeconds, 0);
    const granted = await cli(
      'iam',
      'service-accounts',
      'add-iam-policy-binding',
      READER,
      '--member',
      ALICE_SET,
      '--role',
      WI_USER,
    );
    assert.equal(granted.code, 0, granted.err);
    assert.equal(await impersonate(READER), 200);
    emu.iam.setPropagationSeconds(DELAY);
  });

  test('a seed payload over 64 KiB is refused, as `secrets create` refuses it', T, async () => {
    const big = { project: 'alice-proj', id: 'big', versions: [{ dataBase64: '' }] };
    const over = Buffer.alloc(65_537).toString('base64');
    assert.throws(
      () => parseSeedDocument({ secrets: [{ ...big, versions: [{ dataBase64: over }] }] }),
      /secrets\[0\]\.versions\[0\]\.dataBase64: a payload of 65537 bytes is over Secret Manager's 64 KiB/,
    );
    const exact = Buffer.alloc(65_536).toString('base64');
    assert.doesNotThrow(() =>
      parseSeedDocument({ secrets: [{ ...big, versions: [{ dataBase64: exact }] }] }),
    );
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(70_000));
    await writeFile(
      join(dir, 'big.yaml'),
      'secrets:\n  - { project: alice-proj, id: big, versions: [{ dataFile: big.bin }] }\n',
    );
    const seeded = await cli('seed', join(dir, 'big.yaml'));
    assert.equal(seeded.code, 78, seeded.err);
    assert.match(seeded.err, /dataFile: a payload of 70000 bytes is over/);
  });
});
