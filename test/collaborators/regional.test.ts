// A regional secret (`projects/P/locations/L/secrets/S/versions/V`): the printed commands
// create it, add its version and grant it in its location, and the image's federated token
// then reads it there. (teeinit run reaches regional endpoints through a `{location}` host
// name, which loopback tests cannot serve; this reads it as teeinit would, with the token.)
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { RunningEmulator } from '../../emulator/index.js';
import { removeDir, tempDir } from '../helpers/temp.js';
import {
  applyScript,
  freshEmulator,
  gcloudShim,
  randomDigest,
  teeinitCollaborators,
} from './world.js';

const PROVIDER =
  '//iam.googleapis.com/projects/111111111111/locations/global/workloadIdentityPools/cs-pool/providers/attestation-verifier';

/** The VM's attestation token exchanged at alice's provider. */
async function federatedToken(emu: RunningEmulator): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    audience: PROVIDER,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    subject_token: readFileSync(emu.tokenFile, 'utf8').trim(),
  });
  const res = await fetch(`${emu.endpoints.sts}/v1/token`, { method: 'POST', body });
  const answer = (await res.json()) as { access_token?: string };
  assert.equal(res.status, 200, JSON.stringify(answer));
  return answer.access_token!;
}

describe('teeinit collaborators: a regional secret', { timeout: 120_000 }, () => {
  const dir = tempDir('teeinit-collab-regional-').dir;
  let emu: RunningEmulator | undefined;
  after(async () => {
    await emu?.stop();
    removeDir(dir);
  });

  test(
    'created, versioned and granted in its location; the image reads it there',
    { timeout: 90_000 },
    async () => {
      const digest = randomDigest();
      emu = await freshEmulator(join(dir, 'emulator'), digest);
      const config = join(dir, 'teeinit.yaml');
      writeFileSync(
        config,
        stringify({
          version: 1,
          collaborators: { alice: { provider: PROVIDER } },
          secrets: {
            'eu-share': {
              from: 'alice',
              ref: 'projects/alice-proj/locations/europe-west4/secrets/share/versions/1',
            },
          },
          processes: [{ name: 'app', run: ['app'] }],
        }),
      );
      const printed = await teeinitCollaborators(['-c', config, '--image-digest', digest]);
      assert.equal(printed.code, 0, printed.stderr);
      assert.match(
        printed.stdout,
        /gcloud secrets create share --project=alice-proj --location=europe-west4[\s\\]+--data-file=eu-share\n/,
      );
      const cwd = join(dir, 'payloads');
      mkdirSync(cwd);
      const share = `regional-share-${randomDigest()}`;
      writeFileSync(join(cwd, 'eu-share'), share, { mode: 0o600 });
      const applied = await applyScript(printed.stdout, {
        cwd,
        shimDir: gcloudShim(join(dir, 'bin')),
        stateDir: emu.stateDir,
      });
      assert.equal(applied.code, 0, applied.stderr);
      const token = await federatedToken(emu);
      const url = `${emu.endpoints.secretManager}/v1/projects/alice-proj/locations/europe-west4/secrets/share/versions/1:access`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      const answer = (await res.json()) as { name?: string; payload?: { data?: string } };
      assert.equal(res.status, 200, JSON.stringify(answer));
      assert.equal(
        answer.name,
        'projects/111111111111/locations/europe-west4/secrets/share/versions/1',
      );
      assert.equal(Buffer.from(answer.payload?.data ?? '', 'base64').toString(), share);
      // The same secret id in the global location does not exist: nothing was made there.
      const global = await fetch(
        `${emu.endpoints.secretManager}/v1/projects/alice-proj/secrets/share/versions/1:access`,
        {
          headers: { authorization: `Bearer ${emu.adminToken}` },
        },
      );
      assert.equal(global.status, 404);
    },
  );
});
