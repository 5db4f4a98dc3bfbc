// The emulator config file: strict (unknown keys and bad CEL rejected with the key path),
// YAML or JSON, and every section applied to a started emulator.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadEmulatorConfig, parseEmulatorConfig } from '../../emulator/config.js';
import { defaultWorld } from '../../emulator/default-world.js';
import { startEmulator } from '../../emulator/index.js';
import { TeeinitError } from '../../src/errors/index.js';

let dir: string;

const YAML = `
attestation:
  preset: debug
  lifetimeSeconds: 600
  claims:
    projectId: op-proj
    projectNumber: 1027627358806
    imageDigest: sha256:${'a'.repeat(64)}
projects:
  - { id: carol-proj, number: "444444444444" }
providers:
  - project: carol-proj
    pool: tee
    provider: cs
    attributeMapping:
      google.subject: assertion.sub
    attributeCondition: "assertion.swname == 'CONFIDENTIAL_SPACE'"
serviceAccounts:
  - email: reader@carol-proj.iam.gserviceaccount.com
    bindings:
      - { role: roles/iam.workloadIdentityUser, members: ["principalSet://iam.googleapis.com/projects/444444444444/locations/global/workloadIdentityPools/tee/*"] }
secrets:
  - project: carol-proj
    id: greeting
    versions: [{ data: "hello" }]
faults:
  - { route: sts.token, error: { status: 503 }, times: 1 }
seed: 42
`;

function invalid(pattern: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof TeeinitError);
    assert.equal(e.code, 'TEEINIT_CONFIG_INVALID');
    assert.match(e.message, pattern);
    return true;
  };
}

describe('identity: emulator config file', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the default world validates', { timeout: 5_000 }, () => {
    const c = parseEmulatorConfig(defaultWorld());
    assert.deepEqual(
      c.projects.map((p) => p.id),
      ['alice-proj', 'bob-proj', 'operator-proj'],
    );
    assert.equal(c.providers.length, 2);
    assert.equal(c.serviceAccounts[1]?.email, 'reader@bob-proj.iam.gserviceaccount.com');
  });

  test(
    'unknown keys, bad CEL and unknown projects are rejected with the path',
    { timeout: 5_000 },
    () => {
      assert.throws(
        () => parseEmulatorConfig({ projectz: [] }),
        invalid(/Unrecognized key.*projectz|projectz/),
      );
      assert.throws(
        () => parseEmulatorConfig({ attestation: { claims: { imageDigest: 'x' } } }),
        invalid(/attestation\.claims\.imageDigest/),
      );
      assert.throws(
        () => parseEmulatorConfig({ attestation: { preset: 'dev' } }),
        invalid(/attestation\.preset/),
      );
      const world = defaultWorld();
      const provider = {
        project: 'alice-proj',
        pool: 'p',
        provider: 'x',
        attributeMapping: { 'google.subject': 'assertion.sub' },
      };
      assert.throws(
        () =>
          parseEmulatorConfig({
            ...world,
            providers: [{ ...provider, attributeCondition: "assertion.swname == 'x" }],
          }),
        invalid(/providers\[0\]: unterminated string/),
      );
      assert.throws(
        () => parseEmulatorConfig({ ...world, providers: [{ ...provider, attributeMapping: {} }] }),
        invalid(/providers\[0\]: attribute mapping must map google\.subject/),
      );
      assert.throws(
        () => parseEmulatorConfig({ ...world, providers: [{ ...provider, project: 'nope' }] }),
        invalid(/providers\[0\]\.project: unknown project "nope"/),
      );
    },
  );

  test('a YAML file configures every part of a started emulator', { timeout: 15_000 }, async () => {
    const file = join(dir, 'emulator.yaml');
    await writeFile(file, YAML);
    const config = await loadEmulatorConfig(file);
    assert.equal(config.seed, 42);
    const emu = await startEmulator({ stateDir: join(dir, 'state'), configFile: file });
    try {
      const s = emu.attestation.settings;
      assert.equal(s.dbgstat, 'enabled');
      assert.equal(s.projectNumber, '1027627358806');
      assert.equal(s.imageDigest, `sha256:${'a'.repeat(64)}`);
      assert.equal(emu.store.projectNumber('carol-proj'), '444444444444');
      assert.equal(emu.store.serviceAccounts.size, 1);
      assert.equal([...emu.store.secrets.values()][0]?.secretId, 'greeting');
      assert.equal(emu.faults.list().length, 1);
      assert.equal(
        emu.providerAudience('carol-proj', 'tee', 'cs'),
        '//iam.googleapis.com/projects/444444444444/locations/global/workloadIdentityPools/tee/providers/cs',
      );
    } finally {
      await emu.stop();
    }
  });
});
