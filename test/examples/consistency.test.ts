// The parts of the examples no engine runs here: each Dockerfile bakes the config and every
// template the config names at the paths the config expects, carries the launch-policy
// labels and the tini entrypoint; each README creates exactly the secrets the config pins,
// with the pool/provider the config names and the tee-mount of its secrets directory; each
// shipped config loads without warnings.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfigTree } from '../../src/config/load.js';
import { examplePath, loadExample } from './example-config.js';

const EXAMPLES = ['redis', 'envoy-http', 'envoy-tcp', 'postgres', 'psk'] as const;
const ENTRYPOINT =
  'ENTRYPOINT ["/usr/bin/tini", "--", "node", "--disable-sigusr1", "/opt/teeinit/teeinit.mjs", "run", "-c", "/etc/teeinit/config.yaml"]';
const PROVIDER_RE =
  /^\/\/iam\.googleapis\.com\/projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;

for (const name of EXAMPLES) {
  describe(`examples/${name} files agree`, { timeout: 20_000 }, () => {
    const dockerfile = readFileSync(examplePath(name, 'Dockerfile'), 'utf8');
    const readme = readFileSync(examplePath(name, 'README.md'), 'utf8');
    const tree = loadExample(name);

    test('Dockerfile: config, templates, labels, tini entrypoint', { timeout: 5_000 }, () => {
      assert.ok(dockerfile.includes(`COPY examples/${name}/teeinit.yaml /etc/teeinit/config.yaml`));
      for (const [tname, t] of Object.entries(tree.templates ?? {})) {
        if (t.source === undefined) continue;
        const copy = `COPY examples/${name}/${basename(t.source)} ${t.source}`;
        assert.ok(dockerfile.includes(copy), `template ${tname}: ${copy}`);
        assert.ok(existsSync(examplePath(name, basename(t.source))));
      }
      assert.match(dockerfile, /tee\.launch_policy\.log_redirect=always/);
      assert.match(
        dockerfile,
        new RegExp(`tee\\.launch_policy\\.allow_mount_destinations=${tree.files.dir}\\b`),
      );
      assert.doesNotMatch(dockerfile, /allow_cmd_override|allow_env_override/);
      assert.match(dockerfile, /tini-static/);
      const lines = dockerfile.split('\n');
      assert.equal(lines.filter((l) => l.startsWith('ENTRYPOINT')).at(-1), ENTRYPOINT);
      assert.ok(!lines.some((l) => l.startsWith('CMD')), 'no CMD');
      // Node 24 (the current LTS; --disable-sigusr1 needs 22.14 or later) in every stage.
      const nodes = lines.filter((l) => /^FROM .*node/.test(l));
      assert.ok(nodes.length > 0, 'a node stage');
      for (const from of nodes) {
        assert.match(
          from,
          /^FROM (node:24-bookworm(-slim)? AS \w+|gcr\.io\/distroless\/nodejs24-debian12)$/,
        );
      }
    });

    test('README: secrets, pool/provider, bindings, tee-mount', { timeout: 5_000 }, () => {
      for (const [sname, s] of Object.entries(tree.secrets)) {
        const m = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/\d+$/.exec(s.ref ?? '');
        assert.ok(m, `secret ${sname} has a pinned ref`);
        assert.match(readme, new RegExp(`gcloud secrets create ${m[2]}\\b`), `creates ${m[2]}`);
        assert.ok(readme.includes(m[2]!), `grants ${m[2]}`);
      }
      for (const [cname, c] of Object.entries(tree.collaborators)) {
        const m = PROVIDER_RE.exec(c.provider ?? '');
        assert.ok(m, `collaborator ${cname} provider`);
        const [, number, pool, provider] = m;
        assert.match(readme, new RegExp(`workload-identity-pools create ${pool}\\b`));
        assert.match(readme, new RegExp(`create-oidc ${provider}\\b`));
        assert.ok(
          readme.includes(
            `principalSet://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${pool}/attribute.image_digest/`,
          ),
          `binds the image digest in ${cname}'s pool`,
        );
      }
      assert.ok(readme.includes(`tee-mount=type=tmpfs,source=tmpfs,destination=${tree.files.dir}`));
      assert.match(readme, /tee-image-reference=/);
      assert.match(readme, /tee-restart-policy=/);
      assert.match(readme, /image_digest == '\$DIGEST'|image_digest in \[/);
    });

    test('the shipped config loads without warnings', { timeout: 5_000 }, () => {
      for (const t of Object.values(tree.templates ?? {})) {
        if (t.source !== undefined) t.source = examplePath(name, basename(t.source));
      }
      const loaded = loadConfigTree(tree);
      assert.deepEqual(loaded.warnings, []);
      assert.equal(loaded.config.files.dir, '/run/secrets');
      assert.equal(loaded.config.files.unsafeAllowNonTmpfs, false);
    });
  });
}
