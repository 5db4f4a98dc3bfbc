import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, stopStrayClis, type CliResult } from './cli-helpers.js';
import { tempDir } from '../helpers/temp.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';

const PROVIDER = (n: number): string =>
  `//iam.googleapis.com/projects/${n}/locations/global/workloadIdentityPools/tee-pool/providers/cs-prov`;

/** A valid config in YAML; `extra` lines are appended under the given top-level keys. */
function configYaml(secretsDir: string, patch: (lines: string[]) => void = () => {}): string {
  const lines = [
    'version: 1',
    'collaborators:',
    `  alice: { provider: "${PROVIDER(111)}" }`,
    `  bob: { provider: "${PROVIDER(222)}" }`,
    '  local: { credentials: none }',
    'secrets:',
    '  ca: { from: alice, ref: projects/alice-proj/secrets/ca/versions/3 }',
    '  alice-share: { from: alice, ref: projects/alice-proj/secrets/psk/versions/1 }',
    '  bob-share: { from: bob, ref: projects/bob-proj/secrets/psk/versions/1 }',
    'keys:',
    '  session-psk: { shares: [alice-share, bob-share] }',
    'files:',
    `  dir: ${secretsDir}`,
    'overrides:',
    '  env:',
    '    PORT: { pattern: "[0-9]{1,5}", default: "6379" }',
    'processes:',
    '  - name: app',
    '    run: [server, --ca, "{{ file ca }}", --port, "{{ env PORT }}"]',
    '    ready: { timeout: 5s, tcp: "127.0.0.1:6379" }',
  ];
  patch(lines);
  return lines.join('\n') + '\n';
}

/** The failure contract: exit code, one readable line naming the problem, one JSON line, no stdout. */
function assertFailure(r: CliResult, code: string, exit: number, fragment: string): void {
  assert.equal(r.code, exit, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.ok(lines[0]!.startsWith(`teeinit: ${code}: `), lines[0]);
  assert.ok(lines[0]!.includes(fragment), `${lines[0]}\n  lacks: ${fragment}`);
  assert.match(lines[0]!, / \(fix: .+\)$/);
  const log = JSON.parse(lines[1]!) as { severity: string; code: string };
  assert.equal(log.severity, 'ERROR');
  assert.equal(log.code, code);
}

describe('teeinit CLI', { timeout: 300_000 }, () => {
  const tmp = tempDir('teeinit-cli-');
  const secretsDir = join(tmp.dir, 'secrets');
  after(async () => {
    await stopStrayClis();
    tmp.remove();
  });

  test('validate prints config OK, the hash and warnings', { timeout: 60_000 }, async () => {
    const cfg = tmp.write(
      'ok.yaml',
      configYaml(secretsDir, (l) => {
        l[6] = '  ca: { from: alice, ref: projects/alice-proj/secrets/ca/versions/latest }';
      }),
    );
    const r = await runCli(['validate', '-c', cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const [ok, hash, warning] = r.stdout.trimEnd().split('\n');
    assert.equal(ok, 'config OK');
    assert.match(hash!, /^hash: [0-9a-f]{64}$/);
    assert.match(warning!, /^warning: secrets\.ca\.ref: version "latest" is not pinned/);
    assert.ok(!existsSync(secretsDir), 'validate wrote nothing');
  });

  test('the hash changes with an allowed override', { timeout: 60_000 }, async () => {
    const cfg = tmp.write('hash.yaml', configYaml(secretsDir));
    const a = await runCli(['validate', '-c', cfg]);
    const b = await runCli(['validate', '-c', cfg], { PORT: '7000' });
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    assert.notEqual(a.stdout, b.stdout);
  });

  // [what, patch of the YAML lines, env, code, fragment, values the output must not show]
  const failures: [string, (l: string[]) => void, NodeJS.ProcessEnv, string, string, string[]?][] =
    [
      [
        'unknown key',
        (l) => l.push('colaborators: {}'),
        {},
        'TEEINIT_CONFIG_INVALID',
        'colaborators: unknown key',
      ],
      [
        'wrong type',
        (l) => (l[19] = '    ready: { timeout: true, tcp: "127.0.0.1:6379" }'),
        {},
        'TEEINIT_CONFIG_INVALID',
        'processes[0].ready.timeout: expected a duration',
      ],
      [
        'missing collaborator provider',
        (l) => (l[3] = '  bob: {}'),
        {},
        'TEEINIT_CONFIG_INVALID',
        'collaborators.bob.provider: required',
      ],
      [
        'secret from unknown collaborator',
        (l) => (l[6] = '  ca: { from: carol, ref: projects/alice-proj/secrets/ca/versions/3 }'),
        {},
        'TEEINIT_CONFIG_REFERENCE',
        'secrets.ca.from: names a collaborator that is not declared (declared: alice, bob, local)',
        ['carol'],
      ],
      [
        'template names unknown secret',
        (l) => (l[18] = '    run: [server, --ca, "{{ file cert }}"]'),
        {},
        'TEEINIT_CONFIG_REFERENCE',
        'processes[0].run[2]: names a secret, key or template that is not declared',
        ['cert'],
      ],
      [
        'duplicate process names',
        (l) => l.push('  - { name: app, run: [x] }'),
        {},
        'TEEINIT_CONFIG_INVALID',
        'processes[1].name: duplicate name, the same as processes[0].name',
        ['"app"'],
      ],
      [
        'duplicate secret/key name',
        (l) => l.splice(11, 0, '  ca: { shares: [alice-share, bob-share] }'),
        {},
        'TEEINIT_CONFIG_INVALID',
        'keys.ca: the name is already used by secrets.ca',
      ],
      [
        'bad file mode',
        (l) => l.splice(13, 0, '  entries: { ca: { mode: "0664" } }'),
        {},
        'TEEINIT_CONFIG_INVALID',
        'files.entries.ca.mode: expected a mode that is not group- or world-writable',
      ],
      [
        'value without allowValue',
        (l) => l.push('    env: { CA: "{{ value ca }}" }'),
        {},
        'TEEINIT_TEMPLATE_INVALID',
        'processes[0].env.CA: {{ value }} of secrets.ca needs `allowValue: true` on processes[0]',
      ],
      [
        'env override not allowed',
        (l) => l.push('    env: { HOST: "{{ env HOST }}" }'),
        {},
        'TEEINIT_TEMPLATE_INVALID',
        'processes[0].env.HOST: an {{ env }} reference names a variable that is not listed in overrides.env',
      ],
      [
        'two listeners on one port (localhost is also 127.0.0.1)',
        (l) =>
          l.push(
            'status: { listen: "localhost:9095" }',
            'proxies:',
            '  - { name: in, mode: psk-server, listen: "127.0.0.1:9095", target: "127.0.0.1:6379", psk: session-psk, identity: C1 }',
          ),
        {},
        'TEEINIT_CONFIG_LISTEN_CLASH',
        'status.listen and proxies[0].listen would listen on the same TCP port',
        ['9095'],
      ],
      [
        'env override not matching',
        () => {},
        { PORT: '80; rm -rf /' },
        'TEEINIT_OVERRIDE_REJECTED',
        'environment variable PORT',
      ],
    ];
  for (const [what, patch, env, code, fragment, absent = []] of failures) {
    test(`validate and plan reject: ${what}`, { timeout: 60_000 }, async () => {
      const cfg = tmp.write(`${what.replace(/\W+/g, '-')}.yaml`, configYaml(secretsDir, patch));
      const results = await Promise.all(
        ['validate', 'plan'].map((c) => runCli([c, '-c', cfg], env)),
      );
      for (const r of results) {
        assertFailure(r, code, 78, fragment);
        assert.ok(!r.stderr.includes('rm -rf'), 'operator value echoed');
        for (const value of absent)
          assert.ok(!r.stderr.includes(value), `${r.stderr}\nshows ${value}`);
      }
      assert.ok(!existsSync(secretsDir), 'nothing was written');
    });
  }

  test('missing config file and YAML syntax errors', { timeout: 60_000 }, async () => {
    assertFailure(
      await runCli(['validate', '-c', join(tmp.dir, 'nope.yaml')]),
      'TEEINIT_CONFIG_NOT_FOUND',
      78,
      'nope.yaml',
    );
    const bad = tmp.write('syntax.yaml', 'version: 1\nprocesses:\n  - name: a\n   run: [x]\n');
    assertFailure(
      await runCli(['validate', '-c', bad]),
      'TEEINIT_CONFIG_PARSE',
      78,
      'syntax.yaml:4:',
    );
  });

  test(
    'TEEINIT_CONFIG is not honoured: the default path is used',
    { timeout: 60_000 },
    async () => {
      const cfg = tmp.write('env.yaml', configYaml(secretsDir));
      const r = await runCli(['validate'], { TEEINIT_CONFIG: cfg });
      assertFailure(r, 'TEEINIT_CONFIG_NOT_FOUND', 78, '/etc/teeinit/config.yaml');
    },
  );

  test('usage errors and extra arguments', { timeout: 60_000 }, async () => {
    assertFailure(
      await runCli(['validate', '--bogus']),
      'TEEINIT_USAGE',
      64,
      "Unknown option '--bogus'",
    );
    assertFailure(
      await runCli(['frobnicate']),
      'TEEINIT_USAGE',
      64,
      'unknown command "frobnicate"',
    );
    assertFailure(await runCli([]), 'TEEINIT_USAGE', 64, 'missing command');
    assertFailure(
      await runCli(['version', '--json']),
      'TEEINIT_USAGE',
      64,
      'option --json is not accepted by version',
    );
    assertFailure(await runCli(['validate', 'extra']), 'TEEINIT_USAGE', 64, 'unexpected argument');
    const cfg = tmp.write('extra.yaml', configYaml(secretsDir));
    assertFailure(
      await runCli(['run', '-c', cfg, '--', '--evil']),
      'TEEINIT_OVERRIDE_REJECTED',
      78,
      'extra command-line argument',
    );
  });

  test('version and help', { timeout: 60_000 }, async () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const v = await runCli(['version']);
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `teeinit ${pkg.version} (node ${process.version})\n`);
    for (const args of [['--help'], ['help'], ['-h']]) {
      const h = await runCli(args);
      assert.equal(h.code, 0);
      assert.match(h.stdout, /^Usage: teeinit <command>/);
    }
    for (const command of ['run', 'validate', 'plan', 'version']) {
      const h = await runCli([command, '--help']);
      assert.equal(h.code, 0, h.stderr);
      assert.ok(h.stdout.startsWith(`Usage: teeinit ${command}`), h.stdout);
      // As the README says: each command's help shows an example.
      const example = /\nExamples?[^\n]*:\n {2}([^\n]+)/.exec(h.stdout)?.[1] ?? '';
      assert.ok(example.includes(command), `${command} --help shows no example`);
    }
  });

  describe('plan', () => {
    let secretValue = '';
    let cfg = '';
    before(() => {
      secretValue = randomBytes(24).toString('hex');
      const secretFile = tmp.write('dev-secret.txt', secretValue + '\n');
      cfg = tmp.write(
        'plan.yaml',
        configYaml(secretsDir, (l) => {
          l.splice(9, 0, `  dev: { from: local, path: ${secretFile} }`);
          l[18 + 1] =
            '    run: [server, --ca, "{{ file ca }}", --dev, "{{ file dev }}", --port, "{{ env PORT }}"]';
          l.push('    allowValue: true', '    env: { DEV: "{{ value dev }}" }');
        }),
      );
    });

    test('text plan names what happens and never a secret value', { timeout: 60_000 }, async () => {
      const r = await runCli(['plan', '-c', cfg], { PORT: '7000' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /session-psk = hkdf-sha256\(alice-share@alice, bob-share@bob\)/);
      assert.ok(
        r.stdout.includes(`server --ca ${secretsDir}/ca --dev ${secretsDir}/dev --port 7000`),
        r.stdout,
      );
      assert.ok(r.stdout.includes(`dev <- local: file ${tmp.dir}/dev-secret.txt`), r.stdout);
      assertNoSecrets(r.stdout, [secretValue], 'the plan');
      assert.ok(!existsSync(secretsDir), 'plan wrote nothing');
    });

    test('JSON plan', { timeout: 60_000 }, async () => {
      const r = await runCli(['plan', '-c', cfg, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assertNoSecrets(r.stdout, [secretValue], 'the plan');
      const plan = JSON.parse(r.stdout) as {
        processes: { argv: string[]; env: string[] }[];
        startOrder: string[];
      };
      assert.deepEqual(plan.processes[0]?.env, ['DEV']);
      assert.deepEqual(plan.startOrder, ['process app']);
      assert.ok(plan.processes[0]?.argv.includes('6379'));
    });
  });
});
