// The configs the collaborator-setup tests apply (every example, and one with the shapes
// the examples lack) and the steps of a case: generate each collaborator's commands, apply
// them to a fresh emulator with fresh payloads, run teeinit against it.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RunningEmulator } from '../../emulator/index.js';
import { loadConfigForSetup } from '../../src/collaborators/index.js';
import { retarget, loadExample, type ExampleTree } from '../examples/example-config.js';
import { REPO } from '../examples/harness.js';
import { FIXTURES, runTeeinit, stopAllTeeinit } from '../helpers/teeinit-process.js';
import { removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';
import {
  applyScript,
  freshEmulator,
  gcloudShim,
  Payloads,
  teeinitCollaborators,
  WORKLOAD_SA,
  type JsonCollaborator,
} from './world.js';

/** Every example config; each uses Workload Identity. */
const EXAMPLES: readonly [string, string][] = [
  ['redis', 'teeinit.yaml'],
  ['envoy-http', 'teeinit.yaml'],
  ['envoy-tcp', 'teeinit.yaml'],
  ['postgres', 'teeinit.yaml'],
  ['psk', 'teeinit.yaml'],
  ['psk', 'teeinit-client.yaml'],
];

/** The shapes the examples lack: impersonation with a new pool, an alias on a project
 * number, a second version, `latest`, and a collaborator without Workload Identity. */
const VARIED = {
  version: 1,
  collaborators: {
    alice: {
      provider:
        '//iam.googleapis.com/projects/111111111111/locations/global/workloadIdentityPools/tee-pool/providers/cs-provider',
      serviceAccount: 'reader@alice-proj.iam.gserviceaccount.com',
    },
    bob: {
      provider:
        '//iam.googleapis.com/projects/222222222222/locations/global/workloadIdentityPools/cs-pool/providers/attestation-verifier',
    },
    local: { credentials: 'none' },
  },
  secrets: {
    ca: { from: 'alice', ref: 'projects/alice-proj/secrets/mesh-ca/versions/1' },
    'server-cert': { from: 'alice', ref: 'projects/alice-proj/secrets/mesh-cert/versions/1' },
    'next-cert': { from: 'alice', ref: 'projects/alice-proj/secrets/mesh-cert/versions/2' },
    'server-key': { from: 'alice', ref: 'projects/111111111111/secrets/mesh-key/versions/current' },
    'alice-share': { from: 'alice', ref: 'projects/alice-proj/secrets/share/versions/1' },
    'bob-share': { from: 'bob', ref: 'projects/bob-proj/secrets/share/versions/latest' },
    'dev-note': { from: 'local', path: './note.txt' },
  },
  keys: { 'session-psk': { shares: ['alice-share', 'bob-share'] } },
  tls: { server: { cert: 'server-cert', key: 'server-key', ca: 'ca' } },
  files: { dir: '/run/secrets' },
  processes: [{ name: 'app', run: ['app'] }],
};

export interface Ctx {
  readonly work: string;
  readonly secrets: string;
  emulator?: RunningEmulator;
}
const contexts: Ctx[] = [];

/** After each test: every teeinit, emulator and directory of the contexts made. */
export async function cleanUp(): Promise<void> {
  await stopAllTeeinit();
  for (const ctx of contexts.splice(0)) {
    await ctx.emulator?.stop();
    removeDir(ctx.work);
    removeDir(ctx.secrets);
  }
}

export function context(): Ctx {
  const ctx: Ctx = {
    work: tempDir('teeinit-collab-').dir,
    secrets: tmpfsDir('teeinit-collab-s-').path,
  };
  contexts.push(ctx);
  return ctx;
}

/** Every collaborator's setup for `digest`, as --json lists it and as the text prints it. */
async function generate(
  config: string,
  digest: string,
): Promise<{ json: JsonCollaborator; text: string }[]> {
  const flags = ['-c', config, '--image-digest', digest, '--workload-service-account', WORKLOAD_SA];
  const all = await teeinitCollaborators([
    ...flags,
    '--operator-project',
    'operator-proj',
    '--json',
  ]);
  assert.equal(all.code, 0, all.stderr);
  const parsed = JSON.parse(all.stdout) as { collaborators: JsonCollaborator[] };
  const out = [];
  for (const json of parsed.collaborators) {
    const one = await teeinitCollaborators([
      ...flags,
      '--operator-project',
      'operator-proj',
      '--collaborator',
      json.name,
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, json.script, `${json.name}: the text is the JSON's script`);
    out.push({ json, text: one.stdout });
  }
  return out;
}

/** Each collaborator prepares its payload files and runs its printed commands. */
export async function setUp(
  ctx: Ctx,
  config: string,
  generatedFor: string,
  vm: { digest: string; preset?: 'production' | 'debug' },
) {
  ctx.emulator = await freshEmulator(join(ctx.work, 'emulator'), vm.digest, vm.preset);
  const shimDir = gcloudShim(join(ctx.work, 'bin'));
  const payloads = new Payloads(loadConfigForSetup(config).config);
  for (const { json, text } of await generate(config, generatedFor)) {
    const cwd = join(ctx.secrets, `payloads-${json.name}`);
    mkdirSync(cwd, { mode: 0o700 });
    await payloads.write(cwd, json);
    const applied = await applyScript(text, { cwd, shimDir, stateDir: ctx.emulator.stateDir });
    assert.equal(applied.code, 0, `${json.name}'s commands:\n${applied.stderr}`);
  }
  return payloads;
}

/** The config pointed at the emulator, serving reduced to one long-running process. */
export function runConfig(ctx: Ctx, tree: ExampleTree): string {
  const emu = ctx.emulator!;
  const t = retarget(tree, {
    sts: emu.endpoints.sts,
    iamCredentials: emu.endpoints.iamCredentials,
    secretManager: emu.endpoints.secretManager,
    tokenFile: emu.tokenFile,
    secretsDir: join(ctx.secrets, 'run'),
  });
  // What the collaborators set up is all kept; what serves (ports, users, image paths) is
  // the examples' own tests' business.
  const run = {
    version: 1,
    attestation: t.attestation,
    endpoints: t.endpoints,
    collaborators: t.collaborators,
    secrets: t.secrets,
    keys: t.keys ?? {},
    tls: t.tls ?? {},
    files: { dir: t.files.dir },
    // No wait for grants: the printed commands must be complete when they have run.
    fetch: { permissionGrace: 0, startupDeadline: '30s' },
    processes: [{ name: 'app', run: [process.execPath, `${FIXTURES}forever.js`] }],
  };
  const path = join(ctx.work, 'run.yaml');
  writeFileSync(path, stringify(run), { mode: 0o600 });
  return path;
}

function variedConfig(ctx: Ctx): string {
  writeFileSync(join(ctx.work, 'note.txt'), 'a note kept in the image\n');
  const path = join(ctx.work, 'varied.yaml');
  writeFileSync(path, stringify(VARIED));
  return path;
}

/** The run ends at the token exchange: the provider's condition refuses, nothing starts. */
export async function expectRefused(ctx: Ctx, tree: ExampleTree): Promise<void> {
  const t = runTeeinit(['run', '-c', runConfig(ctx, tree)]);
  assert.equal(await t.exited(45_000), 77, t.output());
  assert.match(t.stderr(), /^teeinit: TEEINIT_IDENTITY_REJECTED: .*unauthorized_client/m);
  assert.doesNotMatch(t.stdout(), /READY|"message":"running"/, 'nothing started');
}

export const CASES: {
  name: string;
  config: (ctx: Ctx) => string;
  tree: (path: string) => ExampleTree;
}[] = [
  ...EXAMPLES.map(([example, file]) => ({
    name: `examples/${example}/${file}`,
    config: () => join(REPO, 'examples', example, file),
    tree: () => loadExample(example, file),
  })),
  {
    name: 'impersonation, an alias, a second version, latest, a none collaborator',
    config: variedConfig,
    tree: () => structuredClone(VARIED),
  },
];
