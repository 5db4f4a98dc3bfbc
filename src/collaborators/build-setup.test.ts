// The setup derived from a config: provider, condition, secrets and versions in the order
// that gives each the pinned number, payload files, APIs, skipped collaborators, inputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfigTree, type Config } from '../config/index.js';
import { baseTree } from '../config/test-fixtures.js';
import { TeeinitError } from '../errors/index.js';
import { buildSetupPlan } from './build-setup.js';
import { parseImageDigests, checkOperatorProject, checkWorkloadServiceAccount } from './inputs.js';
import { attributeCondition } from './provider.js';
import type { SetupOptions } from './types.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

function config(patch: (t: ReturnType<typeof baseTree>) => void = () => {}): Config {
  const tree = baseTree();
  patch(tree);
  return loadConfigTree(tree).config;
}

const plan = (c: Config, options: Partial<SetupOptions> = {}) =>
  buildSetupPlan(c, { imageDigests: [A], ...options });

describe('collaborators: the condition', () => {
  const cases: [string, SetupOptions, string][] = [
    [
      'one digest',
      { imageDigests: [A] },
      `assertion.swname == 'CONFIDENTIAL_SPACE' && 'STABLE' in assertion.submods.confidential_space.support_attributes && assertion.dbgstat == 'disabled-since-boot' && assertion.submods.container.image_digest == '${A}'`,
    ],
    [
      'two digests, service account and project',
      {
        imageDigests: [A, B],
        workloadServiceAccount: 'wl-sa@op-proj.iam.gserviceaccount.com',
        operatorProject: 'op-proj',
      },
      `assertion.swname == 'CONFIDENTIAL_SPACE' && 'STABLE' in assertion.submods.confidential_space.support_attributes && assertion.dbgstat == 'disabled-since-boot' && assertion.submods.container.image_digest in ['${A}', '${B}'] && 'wl-sa@op-proj.iam.gserviceaccount.com' in assertion.google_service_accounts && assertion.submods.gce.project_id == 'op-proj'`,
    ],
  ];
  for (const [name, options, expected] of cases) {
    test(name, () => assert.equal(attributeCondition(options), expected));
  }
});

describe('collaborators: the setup of each', () => {
  test('provider from the config, one principal set per digest, mapping keys Google accepts', () => {
    const p = plan(config(), { imageDigests: [A, B] });
    const alice = p.collaborators.find((c) => c.name === 'alice')!;
    assert.equal(alice.provider.projectNumber, '111');
    assert.equal(alice.provider.poolId, 'tee-pool');
    assert.equal(alice.provider.providerId, 'cs-prov');
    assert.equal(alice.provider.issuerUri, 'https://confidentialcomputing.googleapis.com/');
    assert.deepEqual(alice.provider.allowedAudiences, ['https://sts.googleapis.com']);
    for (const key of Object.keys(alice.provider.attributeMapping)) {
      assert.match(key, /^(google\.subject|attribute\.[a-z0-9_]{1,100})$/);
    }
    assert.deepEqual(alice.principalSets, [
      `principalSet://iam.googleapis.com/projects/111/locations/global/workloadIdentityPools/tee-pool/attribute.image_digest/${A}`,
      `principalSet://iam.googleapis.com/projects/111/locations/global/workloadIdentityPools/tee-pool/attribute.image_digest/${B}`,
    ]);
  });

  test('only the collaborator asked for; an undeclared one is TEEINIT_COLLABORATOR_UNKNOWN', () => {
    const p = plan(config(), { collaborator: 'bob' });
    assert.deepEqual(
      p.collaborators.map((c) => c.name),
      ['bob'],
    );
    assert.throws(
      () => plan(config(), { collaborator: 'carol' }),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_COLLABORATOR_UNKNOWN' &&
        e.exitCode === 64 &&
        /carol/.test(e.message) &&
        /alice, bob/.test(e.message),
    );
  });

  test('versions: pinned numbers ascending, then aliases, then latest; payload files', () => {
    const c = config((t) => {
      t.secrets = {
        'cert-v2': { from: 'alice', ref: 'projects/alice-proj/secrets/cert/versions/2' },
        'cert-v1': { from: 'alice', ref: 'projects/alice-proj/secrets/cert/versions/1' },
        'cert-now': { from: 'alice', ref: 'projects/alice-proj/secrets/cert/versions/latest' },
        'cert-cur': { from: 'alice', ref: 'projects/alice-proj/secrets/cert/versions/current' },
        'ca-again': { from: 'alice', ref: 'projects/alice-proj/secrets/cert/versions/1' },
        late: { from: 'alice', ref: 'projects/111/locations/europe-west4/secrets/late/versions/3' },
        'bob-share': { from: 'bob', ref: 'projects/bob-proj/secrets/psk/versions/1' },
        local: { from: 'alice', path: './dev.share' },
      };
      t.keys = {};
      t.tls = { server: { cert: 'cert-v1', key: 'late', ca: 'ca-again' } };
      t.files = { entries: { 'cert-v1': { name: 'server.crt' }, late: { name: 'cert-v2' } } };
      t.proxies = [];
      t.processes = [{ name: 'app', run: ['server'] }];
    });
    const alice = plan(c).collaborators.find((x) => x.name === 'alice')!;
    const cert = alice.secrets.find((s) => s.secretId === 'cert')!;
    assert.deepEqual(
      cert.versions.map((v) => [v.version, v.number, v.creates, v.secretNames.join('+')]),
      [
        ['1', 1, true, 'cert-v1+ca-again'],
        ['2', 2, false, 'cert-v2'],
        ['current', 3, false, 'cert-cur'],
        ['latest', 4, false, 'cert-now'],
      ],
    );
    assert.equal(cert.existingVersions, 0);
    assert.equal(cert.versions[0]!.payloadFile, 'server.crt');
    assert.match(cert.versions[0]!.holds, /certificate \(PEM\) of tls\.server.*CA certificate/);
    const late = alice.secrets.find((s) => s.secretId === 'late')!;
    assert.equal(late.location, 'europe-west4');
    assert.equal(late.project, '111');
    assert.equal(late.existingVersions, 2);
    assert.deepEqual(
      late.versions.map((v) => [v.number, v.creates]),
      [[3, false]],
    );
    // `late` would be written as cert-v2, another secret's name: its own name is used.
    assert.equal(late.versions[0]!.payloadFile, 'late');
    assert.deepEqual(alice.fileSecrets, ['local']);
    assert.deepEqual(alice.apis, [
      {
        project: '111',
        services: ['iam.googleapis.com', 'sts.googleapis.com', 'secretmanager.googleapis.com'],
      },
      { project: 'alice-proj', services: ['secretmanager.googleapis.com'] },
    ]);
    const bob = plan(c).collaborators.find((x) => x.name === 'bob')!;
    assert.deepEqual(
      bob.secrets.map((s) => s.secretId),
      ['psk'],
    );
  });

  test('impersonation: IAM Credentials in the service account project', () => {
    const c = config((t) => {
      t.collaborators.alice.serviceAccount = 'reader@alice-proj.iam.gserviceaccount.com';
      t.collaborators.bob.serviceAccount = '123-compute@developer.gserviceaccount.com';
    });
    const [alice, bob] = plan(c).collaborators;
    assert.equal(alice!.serviceAccountProject, 'alice-proj');
    assert.deepEqual(alice!.apis[1], {
      project: 'alice-proj',
      services: [
        'iam.googleapis.com',
        'iamcredentials.googleapis.com',
        'secretmanager.googleapis.com',
      ],
    });
    assert.equal(bob!.serviceAccountProject, undefined);
  });

  test('adc and none collaborators are skipped, with their credentials', () => {
    const c = config((t) => {
      t.collaborators.carol = { credentials: 'adc' };
      t.collaborators.dave = { credentials: 'none' };
    });
    assert.deepEqual(plan(c).skipped, [
      { name: 'carol', credentials: 'adc' },
      { name: 'dave', credentials: 'none' },
    ]);
  });

  test('permissionGrace of the config is carried for the advice', () => {
    const c = config((t) => (t.fetch = { permissionGrace: '90s' }));
    assert.equal(plan(c).permissionGraceMs, 90_000);
  });
});

describe('collaborators: inputs', () => {
  const bad: [string, string][] = [
    ['no prefix', 'a'.repeat(64)],
    ['short', 'sha256:abc'],
    ['upper case', `sha256:${'A'.repeat(64)}`],
    ['space', ` ${A}`],
    ['empty in a list', `${A},`],
    ['twice', `${A},${A}`],
  ];
  for (const [name, text] of bad) {
    test(`a malformed --image-digest is refused: ${name}`, () => {
      assert.throws(
        () => parseImageDigests(text),
        (e: unknown) =>
          e instanceof TeeinitError &&
          e.code === 'TEEINIT_IMAGE_DIGEST_INVALID' &&
          e.exitCode === 64 &&
          e.message.startsWith('--image-digest'),
      );
    });
  }
  test('digests, comma-separated', () => assert.deepEqual(parseImageDigests(`${A},${B}`), [A, B]));
  test('a workload service account or operator project that could break a CEL string is refused', () => {
    for (const sa of ["x'@p.iam.gserviceaccount.com", 'a@b.com', 'a b@p.iam.gserviceaccount.com']) {
      assert.throws(() => checkWorkloadServiceAccount(sa), /--workload-service-account/);
    }
    assert.equal(
      checkWorkloadServiceAccount('123-compute@developer.gserviceaccount.com'),
      '123-compute@developer.gserviceaccount.com',
    );
    for (const p of ["op'", 'Op-proj', 'op']) {
      assert.throws(() => checkOperatorProject(p), /--operator-project/);
    }
  });
});
