// Fidelity: Google's own client (google-auth-library ExternalAccountClient / IdentityPoolClient)
// against the emulator: token file → STS → (optional) IAM credentials impersonation, and the
// refusals a real deployment sees (debug image, wrong audience, unknown provider, no binding).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExternalAccountClient } from 'google-auth-library';
import { defaultWorld } from '../../emulator/default-world.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

const NOBODY = 'nobody@alice-proj.iam.gserviceaccount.com';
let emu: RunningEmulator;
let dir: string;

async function accessToken(json: Record<string, unknown>): Promise<string> {
  const client = ExternalAccountClient.fromJSON(json as never);
  assert.ok(client, 'fromJSON returned a client');
  const { token } = await client.getAccessToken();
  assert.ok(token);
  return token;
}

/** Rejection of a client call, as status + OAuth/Google error body. */
async function refusal(
  json: Record<string, unknown>,
): Promise<{ status: number; data: unknown; message: string }> {
  try {
    await accessToken(json);
  } catch (error) {
    const e = error as {
      message: string;
      status?: number;
      response?: { status: number; data: unknown };
    };
    return {
      status: e.response?.status ?? e.status ?? 0,
      data: e.response?.data,
      message: e.message,
    };
  }
  assert.fail('expected the exchange to be refused');
}

describe('identity: google-auth-library against the emulator', { timeout: 200_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-wif-'));
    const world = defaultWorld();
    emu = await startEmulator({
      stateDir: join(dir, 'state'),
      config: {
        ...world,
        serviceAccounts: [...(world.serviceAccounts ?? []), { email: NOBODY, bindings: [] }],
      },
    });
  });
  after(async () => {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('federated token without impersonation', async () => {
    const token = await accessToken(emu.credentialConfig({ project: 'alice-proj' }));
    const resolved = emu.tokens.resolve(`Bearer ${token}`);
    assert.equal(resolved.status, 'valid');
    assert.ok(resolved.status === 'valid');
    assert.equal(resolved.principal.type, 'workload');
    assert.equal(
      resolved.principal.pool,
      'projects/111111111111/locations/global/workloadIdentityPools/cs-pool',
    );
    const s = emu.attestation.settings;
    assert.equal(
      resolved.principal.subject,
      `gcpcs::${s.imageDigest}::${s.projectNumber}::${s.instanceId}`,
    );
    assert.deepEqual(resolved.principal.attributes, { image_digest: s.imageDigest });
  });

  test('impersonated service account token', async () => {
    for (const project of ['alice-proj', 'bob-proj']) {
      const sa = `reader@${project}.iam.gserviceaccount.com`;
      const token = await accessToken(emu.credentialConfig({ project, serviceAccount: sa }));
      const resolved = emu.tokens.resolve(token);
      assert.ok(resolved.status === 'valid');
      assert.deepEqual(resolved.principal, { type: 'serviceAccount', subject: sa, attributes: {} });
    }
  });

  test('a debug image is rejected by the attribute condition', async () => {
    await emu.attestation.usePreset('debug');
    try {
      const r = await refusal(emu.credentialConfig({ project: 'alice-proj' }));
      assert.equal(r.status, 400);
      assert.deepEqual(r.data, {
        error: 'unauthorized_client',
        error_description: 'The given credential is rejected by the attribute condition.',
      });
      assert.match(
        r.message,
        /^Error code unauthorized_client: The given credential is rejected by the attribute condition\.$/,
      );
    } finally {
      await emu.attestation.usePreset('production');
    }
  });

  test('a tampered image (other digest) is rejected', async () => {
    await emu.attestation.usePreset('tampered');
    try {
      const r = await refusal(
        emu.credentialConfig({
          project: 'bob-proj',
          serviceAccount: 'reader@bob-proj.iam.gserviceaccount.com',
        }),
      );
      assert.equal(r.status, 400);
      assert.match(r.message, /unauthorized_client/);
    } finally {
      await emu.attestation.usePreset('production');
    }
  });

  test('a token for another audience is invalid_grant', async () => {
    const file = join(dir, 'wrong-aud-token');
    await writeFile(
      file,
      await emu.attestation.mintToken({ audience: 'https://example.com/not-sts' }),
    );
    const r = await refusal(emu.credentialConfig({ project: 'alice-proj', tokenFile: file }));
    assert.equal(r.status, 400);
    assert.deepEqual(r.data, {
      error: 'invalid_grant',
      error_description:
        'The audience in ID Token [https://example.com/not-sts] does not match the expected audience.',
    });
  });

  test('an unknown provider is invalid_target', async () => {
    const r = await refusal(emu.credentialConfig({ project: 'alice-proj', provider: 'nope' }));
    assert.equal(r.status, 400);
    assert.deepEqual(r.data, {
      error: 'invalid_target',
      error_description:
        'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
    });
  });

  test('impersonating a service account without a binding is denied', async () => {
    const r = await refusal(
      emu.credentialConfig({ project: 'alice-proj', serviceAccount: NOBODY }),
    );
    assert.equal(r.status, 403);
    assert.deepEqual(r.data, {
      error: {
        code: 403,
        message:
          "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'IAM_PERMISSION_DENIED',
            domain: 'iam.googleapis.com',
            metadata: { permission: 'iam.serviceAccounts.getAccessToken' },
          },
        ],
      },
    });
  });

  test("bob's workload cannot impersonate alice's reader", async () => {
    const r = await refusal(
      emu.credentialConfig({
        project: 'bob-proj',
        serviceAccount: 'reader@alice-proj.iam.gserviceaccount.com',
      }),
    );
    assert.equal(r.status, 403);
  });
});
