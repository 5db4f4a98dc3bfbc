// The deployment the docs describe, checked against the files it deploys: every `gcloud`
// and `docker build` command of examples/README.md, each example README and
// docs/scale-out.md is read as data and resolved to the Dockerfile of the image it runs.
// What the Confidential Space launcher does with an image comes from its source
// (google/go-tpm-tools launcher/): it opens only EXPOSEd ports (container_runner.go
// openPorts), accepts `true`/`cloud_logging`/`serial`/`false` for the log redirect and
// `Always`/`OnFailure`/`Never` for the restart policy (spec/launch_spec.go), and refuses a
// redirect or a mount destination the image's labels do not allow (spec/launch_policy.go).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { dockerBuilds, gcloudCommands, metadataKeys, shellCommands } from './deploy-docs.js';
import type { GcloudCommand } from './deploy-docs.js';
import { bakedConfig, provides, readImage, type ImageFiles } from './dockerfile.js';
import type { ExampleTree } from './example-config.js';
import { REPO } from './harness.js';

const EXAMPLES = ['redis', 'envoy-http', 'envoy-tcp', 'postgres', 'psk'] as const;
const READMES = EXAMPLES.map((n) => `examples/${n}/README.md`);
const DOCS = ['examples/README.md', ...READMES, 'docs/scale-out.md'];
const LAUNCHER_KEYS = [
  'tee-image-reference',
  'tee-mount',
  'tee-container-log-redirect',
  'tee-restart-policy',
];
// Google's health-check probe ranges: a MIG's autohealing check, and an external
// passthrough Network Load Balancer's (load-balancing/docs/health-check-concepts#ip-ranges).
const AUTOHEALING_PROBES = ['35.191.0.0/16', '130.211.0.0/22'];
const NLB_PROBES = ['35.191.0.0/16', '209.85.152.0/22', '209.85.204.0/22'];

const commands = new Map(DOCS.map((d) => [d, shellCommands(d)]));
const gcloud = gcloudCommands([...commands.values()].flat());
const builds = dockerBuilds([...commands.values()].flat());
const named = (verb: string): GcloudCommand[] => gcloud.filter((c) => c.verb === verb);
const list = (value: string | undefined): string[] => (value ?? '').split(',').filter(Boolean);

function dockerfilesOf(example: string): string[] {
  return readdirSync(join(REPO, 'examples', example))
    .filter((f) => f.startsWith('Dockerfile'))
    .map((f) => `examples/${example}/${f}`);
}

function configOf(image: ImageFiles): ExampleTree {
  const file = bakedConfig(image);
  assert.ok(file, `${image.dockerfile} bakes no /etc/teeinit/config.yaml`);
  return parse(readFileSync(join(REPO, file), 'utf8')) as ExampleTree;
}

/** A VM or instance template of the docs, with the image its metadata runs. */
interface Vm {
  readonly cmd: GcloudCommand;
  readonly tags: string[];
  readonly metadata: Map<string, string>;
  readonly image: ImageFiles;
}

const VMS: Vm[] = [
  ...named('compute instances create'),
  ...named('compute instance-templates create'),
].map((cmd) => {
  const metadata = metadataKeys(cmd.flag('metadata') ?? '');
  const ref = metadata.get('tee-image-reference') ?? '';
  const repo = ref.replace(/@.*$/, '');
  const build = builds.find((b) => b.tag.replace(/:[^/]*$/, '') === repo);
  assert.ok(build, `${cmd.where}: no docker build in the docs makes ${repo}`);
  return { cmd, tags: list(cmd.flag('tags')), metadata, image: readImage(build.file) };
});

const vmsTagged = (tags: readonly string[]): Vm[] =>
  VMS.filter((vm) => vm.tags.some((t) => tags.includes(t)));
const templates = (name: string): Vm[] =>
  VMS.filter((vm) => vm.cmd.verb === 'compute instance-templates create' && vm.cmd.name === name);

/** The VMs a health check probes: through a group's autohealing or a load balancer. */
function probedBy(hc: GcloudCommand): { vms: Vm[]; ranges: string[] }[] {
  const out: { vms: Vm[]; ranges: string[] }[] = [];
  for (const mig of named('compute instance-groups managed create')) {
    if (mig.flag('health-check') === hc.name) {
      out.push({ vms: templates(mig.flag('template') ?? ''), ranges: AUTOHEALING_PROBES });
    }
  }
  for (const bs of named('compute backend-services create')) {
    if (!list(bs.flag('health-checks')).includes(hc.name)) continue;
    for (const add of named('compute backend-services add-backend')) {
      if (add.name !== bs.name) continue;
      const mig = named('compute instance-groups managed create').find(
        (m) => m.name === add.flag('instance-group'),
      );
      out.push({ vms: templates(mig?.flag('template') ?? ''), ranges: NLB_PROBES });
    }
  }
  return out;
}

describe('examples: the deployment the docs describe', { timeout: 20_000 }, () => {
  test('the docs were read: VMs, templates, health checks and firewall rules', () => {
    for (const readme of READMES) {
      assert.ok(VMS.filter((vm) => vm.cmd.where.startsWith(readme)).length >= 2, readme);
    }
    assert.ok(named('compute health-checks create tcp').length >= 10);
    assert.ok(named('compute firewall-rules create').length >= 10);
    assert.ok(named('compute backend-services create').length >= 5);
  });

  test('every image is built for linux/amd64 from a Dockerfile the README names', () => {
    for (const b of builds) {
      assert.equal(b.platform, 'linux/amd64', `${b.where}: docker build --platform=linux/amd64`);
      assert.ok(existsSync(join(REPO, b.file)), `${b.where}: ${b.file} exists`);
    }
    for (const name of EXAMPLES) {
      const built = dockerBuilds(commands.get(`examples/${name}/README.md`)!).map((b) => b.file);
      for (const file of dockerfilesOf(name))
        assert.ok(built.includes(file), `README builds ${file}`);
    }
  });

  test('every config a README names is baked into an image the README builds', () => {
    for (const name of EXAMPLES) {
      const readme = readFileSync(join(REPO, 'examples', name, 'README.md'), 'utf8');
      const files = readdirSync(join(REPO, 'examples', name)).filter((f) =>
        /^teeinit.*\.yaml$/.test(f),
      );
      const named = new Set([...files, ...(readme.match(/teeinit[\w-]*\.yaml/g) ?? [])]);
      const baked = dockerBuilds(commands.get(`examples/${name}/README.md`)!).map((b) =>
        bakedConfig(readImage(b.file)),
      );
      for (const config of named) {
        assert.ok(existsSync(join(REPO, 'examples', name, config)), `${name}: ${config} exists`);
        assert.ok(
          baked.includes(`examples/${name}/${config}`),
          `${name}: an image bakes ${config}`,
        );
      }
    }
  });

  test('every program a config or entrypoint runs exists in its image', () => {
    for (const file of EXAMPLES.flatMap(dockerfilesOf)) {
      const image = readImage(file);
      const config = configOf(image);
      const ep = image.entrypoint;
      const programs = [ep[0], ep[ep.indexOf('--') + 1], ...ep.filter((a) => a.startsWith('/'))];
      for (const p of config.processes) {
        programs.push(p.run[0], p.ready?.command?.[0]);
        if (p.run[0] === 'node' && p.run[1]?.startsWith('/')) programs.push(p.run[1]);
      }
      for (const program of programs) {
        if (program === undefined) continue;
        assert.ok(provides(image, program), `${file}: nothing puts ${program} in the image`);
      }
    }
  });

  test('every non-loopback proxy or status listen port is EXPOSEd', () => {
    for (const file of EXAMPLES.flatMap(dockerfilesOf)) {
      const image = readImage(file);
      const config = configOf(image);
      const listens = [...(config.proxies ?? []).map((p) => p.listen), config.status?.listen];
      for (const listen of listens) {
        const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(listen ?? '');
        if (!m || /^(127\.|::1$|localhost$)/.test(m[1]!)) continue;
        assert.ok(image.exposed.has(Number(m[2])), `${file}: EXPOSE ${m[2]} (listen ${listen})`);
      }
    }
  });

  test('every VM and template sets a log redirect, restart policy and mount the image allows', () => {
    for (const vm of VMS) {
      const at = vm.cmd.where;
      const dir = configOf(vm.image).files.dir;
      for (const key of vm.metadata.keys()) assert.ok(LAUNCHER_KEYS.includes(key), `${at}: ${key}`);
      assert.match(vm.metadata.get('tee-image-reference')!, /@\$[A-Z_]+$/, `${at}: by digest`);
      assert.match(
        vm.metadata.get('tee-container-log-redirect') ?? '',
        /^(true|cloud_logging|serial)$/,
        at,
      );
      assert.match(vm.metadata.get('tee-restart-policy') ?? '', /^(Always|OnFailure|Never)$/, at);
      assert.equal(vm.metadata.get('tee-mount'), `type=tmpfs,source=tmpfs,destination=${dir}`, at);
      assert.equal(vm.image.labels.get('tee.launch_policy.log_redirect'), 'always', at);
      const allowed = vm.image.labels.get('tee.launch_policy.allow_mount_destinations');
      assert.ok(allowed?.split(':').includes(dir), `${at}: the image allows a mount at ${dir}`);
      assert.ok(vm.tags.length > 0, `${at}: --tags, for its firewall rules`);
    }
  });

  test('every port a firewall rule or health check opens is EXPOSEd by the images it reaches', () => {
    for (const rule of named('compute firewall-rules create')) {
      const vms = vmsTagged(list(rule.flag('target-tags')));
      assert.ok(vms.length > 0, `${rule.where}: ${rule.name} reaches no VM of the docs`);
      for (const port of list(rule.flag('rules')).map((r) => Number(r.replace(/^tcp:/, '')))) {
        for (const vm of vms) {
          assert.ok(
            vm.image.exposed.has(port),
            `${rule.where}: ${vm.image.dockerfile} EXPOSE ${port}`,
          );
        }
      }
    }
    for (const hc of gcloud.filter((c) => c.verb.startsWith('compute health-checks create'))) {
      const port = Number(hc.flag('port'));
      const reached = probedBy(hc);
      assert.ok(
        reached.some((r) => r.vms.length > 0),
        `${hc.where}: ${hc.name} probes no VM`,
      );
      for (const vm of reached.flatMap((r) => r.vms)) {
        assert.ok(vm.image.exposed.has(port), `${hc.where}: ${vm.image.dockerfile} EXPOSE ${port}`);
      }
    }
  });

  test("health-check probes are admitted from every one of Google's probe ranges", () => {
    for (const hc of gcloud.filter((c) => c.verb.startsWith('compute health-checks create'))) {
      const port = hc.flag('port');
      const doc = hc.where.replace(/:\d+$/, '');
      for (const { vms, ranges } of probedBy(hc)) {
        // A rule of the same document: each one is followed on its own.
        const admitted = named('compute firewall-rules create').some(
          (rule) =>
            rule.where.startsWith(`${doc}:`) &&
            list(rule.flag('rules')).includes(`tcp:${port}`) &&
            vms.every((vm) => vm.tags.some((t) => list(rule.flag('target-tags')).includes(t))) &&
            ranges.every((r) => list(rule.flag('source-ranges')).includes(r)),
        );
        assert.ok(admitted, `${hc.where}: no firewall rule admits ${ranges.join(',')} to ${port}`);
      }
    }
  });
});
