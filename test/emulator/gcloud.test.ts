// `teeinit-emulator gcloud`: the gcloud command lines a collaborator runs, applied to a
// running emulator through iam.googleapis.com's pools, providers and service accounts and
// Secret Manager's REST API; refusals as Google gives them; unknown commands refused.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runGcloud } from '../../emulator/gcloud/run-gcloud.js';
import type { RunningEmulator } from '../../emulator/index.js';
import type { CliIo } from '../../emulator/seed/commands.js';
import { TeeinitError } from '../../src/errors/index.js';
import { freshEmulator, randomDigest } from '../collaborators/world.js';
import { removeDir, tempDir } from '../helpers/temp.js';

const T = { timeout: 30_000 };
const MAPPING =
  'google.subject="gcpcs::"+assertion.submods.container.image_digest+"::"+assertion.submods.gce.project_number+"::"+assertion.submods.gce.instance_id,attribute.image_digest=assertion.submods.container.image_digest';
const DIGEST = randomDigest();

describe('teeinit-emulator gcloud', () => {
  let dir: string;
  let emu: RunningEmulator;
  const lines: string[] = [];
  const io: CliIo = {
    out: () => undefined,
    err: (line) => void lines.push(line),
    stdin: () => Promise.resolve(Buffer.alloc(0)),
  };
  const gcloud = (...argv: string[]) =>
    runGcloud([...argv, `--emulator-state=${emu.stateDir}`], io, { baseDir: dir });
  /** Rejects with the emulator's refusal: HTTP status and message. */
  const refused = async (status: number, message: RegExp, ...argv: string[]) => {
    await assert.rejects(gcloud(...argv), (e: unknown) => {
      assert.ok(e instanceof TeeinitError, String(e));
      assert.equal(e.fields.httpStatus, status, e.message);
      assert.match(e.message, message);
      return true;
    });
  };
  const pool = (project: string, id = 'cs-pool') =>
    gcloud(
      'iam',
      'workload-identity-pools',
      'create',
      id,
      `--project=${project}`,
      '--location=global',
    );
  const provider = (project: string, extra: string[] = [], id = 'attestation-verifier') =>
    gcloud(
      'gcloud',
      'iam',
      'workload-identity-pools',
      'providers',
      'create-oidc',
      id,
      `--project=${project}`,
      '--location=global',
      '--workload-identity-pool=cs-pool',
      '--issuer-uri=https://confidentialcomputing.googleapis.com/',
      '--allowed-audiences=https://sts.googleapis.com',
      ...extra,
    );
  /** The argv of a provider `id` in alice's pool `pool`, before the flags a refusal is about. */
  const createOidc = (id: string, pool: string): string[] => [
    'iam',
    'workload-identity-pools',
    'providers',
    'create-oidc',
    id,
    '--project=alice-proj',
    '--location=global',
    `--workload-identity-pool=${pool}`,
    '--issuer-uri=https://x/',
  ];
  /** The STS exchange of the emulated VM's token at `project`'s provider. */
  const exchange = async (number: string) => {
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: `//iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/cs-pool/providers/attestation-verifier`,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: readFileSync(emu.tokenFile, 'utf8').trim(),
    });
    const res = await fetch(`${emu.endpoints.sts}/v1/token`, { method: 'POST', body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    dir = tempDir('teeinit-gcloud-').dir;
    emu = await freshEmulator(join(dir, 'emulator'), DIGEST);
  });
  after(async () => {
    await emu.stop();
    removeDir(dir);
  });

  test(
    'a pool and a provider, created by number or id, exchange the VM token at once',
    T,
    async () => {
      await gcloud(
        'services',
        'enable',
        'iam.googleapis.com',
        'sts.googleapis.com',
        '--project=111111111111',
      );
      await pool('111111111111');
      const condition = `assertion.submods.container.image_digest == '${DIGEST}'`;
      await provider('111111111111', [
        `--attribute-mapping=${MAPPING}`,
        `--attribute-condition=${condition}`,
      ]);
      assert.equal((await exchange('111111111111')).status, 200);
      // gcloud's ^D^ delimiter for values with commas; by project id.
      await pool('bob-proj');
      await provider('bob-proj', [
        `--attribute-mapping=^;^${MAPPING.replace(',attribute', ';attribute')}`,
        "--attribute-condition=assertion.submods.container.image_digest == 'sha256:other'",
      ]);
      const bob = await exchange('222222222222');
      assert.equal(bob.status, 400);
      assert.equal(bob.body.error, 'unauthorized_client');
      assert.ok(lines.includes('Created workload identity pool provider [attestation-verifier].'));
    },
  );

  test('refusals: existing pool or provider, missing pool, bad mapping key or CEL', T, async () => {
    await refused(
      409,
      /ALREADY_EXISTS/,
      'iam',
      'workload-identity-pools',
      'create',
      'cs-pool',
      '--project=alice-proj',
      '--location=global',
    );
    await refused(
      409,
      /ALREADY_EXISTS/,
      ...createOidc('attestation-verifier', 'cs-pool'),
      `--attribute-mapping=${MAPPING}`,
    );
    await refused(
      404,
      /NOT_FOUND/,
      ...createOidc('p-1234', 'no-pool'),
      `--attribute-mapping=${MAPPING}`,
    );
    await refused(
      400,
      /attribute\.imageDigest/,
      ...createOidc('p-1234', 'cs-pool'),
      `--attribute-mapping=${MAPPING},attribute.imageDigest=assertion.swname`,
    );
    await refused(
      400,
      /INVALID_ARGUMENT/,
      ...createOidc('p-1234', 'cs-pool'),
      `--attribute-mapping=${MAPPING}`,
      '--attribute-condition=assertion.swname == (',
    );
    await refused(
      403,
      /PERMISSION_DENIED/,
      'iam',
      'workload-identity-pools',
      'create',
      'cs-pool',
      '--project=nobody-proj',
      '--location=global',
    );
  });

  test('a service account, who may impersonate it, and a secret granted to it', T, async () => {
    await gcloud('iam', 'service-accounts', 'create', 'reader', '--project=alice-proj');
    await refused(
      409,
      /already exists/,
      'iam',
      'service-accounts',
      'create',
      'reader',
      '--project=alice-proj',
    );
    const sa = 'reader@alice-proj.iam.gserviceaccount.com';
    assert.ok(emu.store.serviceAccounts.has(sa));
    const member = `principalSet://iam.googleapis.com/projects/111111111111/locations/global/workloadIdentityPools/cs-pool/attribute.image_digest/${DIGEST}`;
    await gcloud(
      'iam',
      'service-accounts',
      'add-iam-policy-binding',
      sa,
      '--project=alice-proj',
      '--role=roles/iam.workloadIdentityUser',
      `--member=${member}`,
    );
    assert.deepEqual(emu.store.serviceAccounts.get(sa)?.bindings, [
      { role: 'roles/iam.workloadIdentityUser', members: [member] },
    ]);
  });

  test(
    'secrets: create with a file relative to the base dir, versions, an alias, a regional one',
    T,
    async () => {
      writeFileSync(join(dir, 'one.pem'), 'first');
      writeFileSync(join(dir, 'two.pem'), 'second');
      await gcloud('secrets', 'create', 'ca', '--project=alice-proj', '--data-file=one.pem');
      await gcloud(
        'secrets',
        'versions',
        'add',
        'ca',
        '--project=alice-proj',
        '--data-file=two.pem',
      );
      await gcloud(
        'secrets',
        'update',
        'ca',
        '--project=alice-proj',
        '--update-version-aliases=current=2',
      );
      await gcloud(
        'secrets',
        'update',
        'ca',
        '--project=alice-proj',
        '--update-version-aliases=old=1',
      );
      const ca = [...emu.store.secrets.values()].find((s) => s.secretId === 'ca')!;
      assert.deepEqual(ca.versionAliases, { current: 2, old: 1 });
      assert.deepEqual(
        ca.versions.map((v) => v.data?.toString()),
        ['first', 'second'],
      );
      await gcloud(
        'secrets',
        'create',
        'r',
        '--project=111111111111',
        '--location=europe-west4',
        '--data-file=one.pem',
      );
      await gcloud(
        'secrets',
        'add-iam-policy-binding',
        'r',
        '--project=111111111111',
        '--location=europe-west4',
        '--role=roles/secretmanager.secretAccessor',
        '--member=allUsers',
      );
      const r = [...emu.store.secrets.values()].find((s) => s.secretId === 'r')!;
      assert.equal(r.location, 'europe-west4');
      assert.deepEqual(r.bindings, [
        { role: 'roles/secretmanager.secretAccessor', members: ['allUsers'] },
      ]);
    },
  );

  test('a grant applied through gcloud waits out the IAM propagation delay', T, async () => {
    const member = `principalSet://iam.googleapis.com/projects/111111111111/locations/global/workloadIdentityPools/cs-pool/attribute.image_digest/${DIGEST}`;
    writeFileSync(join(dir, 'late.txt'), 'late');
    await gcloud('secrets', 'create', 'late', '--project=alice-proj', '--data-file=late.txt');
    emu.iam.setPropagationSeconds(120);
    try {
      await gcloud(
        'secrets',
        'add-iam-policy-binding',
        'late',
        '--project=alice-proj',
        '--role=roles/secretmanager.secretAccessor',
        `--member=${member}`,
      );
    } finally {
      emu.iam.setPropagationSeconds(0);
    }
    const token = (await exchange('111111111111')).body.access_token as string;
    const res = await fetch(
      `${emu.endpoints.secretManager}/v1/projects/alice-proj/secrets/late/versions/1:access`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    assert.equal(res.status, 403, 'refused until the grant has propagated');
    const late = [...emu.store.secrets.values()].find((x) => x.secretId === 'late')!;
    assert.deepEqual(late.bindings, [
      { role: 'roles/secretmanager.secretAccessor', members: [member] },
    ]);
  });

  test(
    'a command the emulator does not apply, or a flag gcloud would not take, is refused',
    T,
    async () => {
      for (const argv of [
        ['compute', 'instances', 'create', 'vm'],
        ['iam', 'workload-identity-pools', 'delete', 'cs-pool'],
        ['secrets', 'create', 'x', '--project=alice-proj', '--replication-policy-file=p.json'],
      ]) {
        await assert.rejects(
          gcloud(...argv),
          (e: unknown) => e instanceof TeeinitError && e.code === 'TEEINIT_USAGE',
        );
      }
    },
  );
});
