// Certificate expiry in the start-up log, through the real CLI against the emulator: the
// server bundle's certificate is swapped for one with a chosen validity, teeinit starts
// its process either way, and the log says when the certificate expires — warning when
// it is within a week — without a secret value anywhere in the output.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { DEFAULT_POOL, imagePrincipalSet } from '../../emulator/default-world.js';
import { issueCert, type Pem } from '../../emulator/pki.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { logLines, runTeeinit, type TeeinitProcess } from '../helpers/teeinit-process.js';
import { useRunWorld } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

describe('run: certificate expiry in the start-up log', { timeout: 90_000 }, () => {
  const ctx = useRunWorld('teeinit-expiry');
  // The keys stored by the tests, searched for next to the demo world's own.
  const storedKeys: string[] = [];

  /** Stores `pem` as alice's secrets `<id>-cert` / `<id>-key` (version 1), readable by the image. */
  function store(id: string, pem: Pem): void {
    storedKeys.push(pem.key);
    const grant = [
      {
        role: 'roles/secretmanager.secretAccessor',
        members: [imagePrincipalSet('111111111111', DEFAULT_POOL, DEFAULT_IMAGE_DIGEST)],
      },
    ];
    applySeed(
      ctx.world.emulator.store,
      parseSeedDocument({
        secrets: [
          {
            project: 'alice-proj',
            id: `${id}-cert`,
            versions: [{ data: pem.cert }],
            bindings: grant,
          },
          {
            project: 'alice-proj',
            id: `${id}-key`,
            versions: [{ data: pem.key }],
            bindings: grant,
          },
        ],
      }),
      Date.now,
    );
  }

  /** Runs teeinit with the server bundle read from `<id>-cert` / `<id>-key`, until `running`. */
  async function start(id: string): Promise<TeeinitProcess> {
    const dir = join(ctx.secrets.path, id);
    const config = worldConfig(ctx.world, dir, [
      { name: 'app', run: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] },
    ]);
    const refs = config.secrets as Record<string, { from: string; ref: string }>;
    refs['server-cert'] = {
      from: 'alice',
      ref: `projects/alice-proj/secrets/${id}-cert/versions/1`,
    };
    refs['server-key'] = { from: 'alice', ref: `projects/alice-proj/secrets/${id}-key/versions/1` };
    allowNonTmpfs(config, ctx.secrets);
    const t = runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
    await t.waitFor(/"message":"running"/);
    return t;
  }

  async function stop(t: TeeinitProcess): Promise<void> {
    t.kill('SIGTERM');
    // The process ran until now: it dies of the forwarded SIGTERM, 128 + 15.
    assert.equal(await t.exited(), 143, t.output());
    assert.match(t.stdout(), /"message":"started".*"process":"app"/);
    assertNoSecrets(t.output(), [...ctx.secretValues, ...storedKeys], 'the output of teeinit');
  }

  test('run-cert-expires-in-2-days: warning names the bundle and notAfter; starts', async () => {
    const pem = await issueCert(ctx.world.ca, {
      commonName: 'short.alice',
      dnsNames: ['localhost'],
      usage: 'server',
      notAfter: new Date(Date.now() + 2 * DAY),
    });
    store('short', pem);
    const notAfter = new Date(new X509Certificate(pem.cert).validTo).toISOString();
    const t = await start('short');
    const info = logLines(t.stdout()).filter((l) => l.message === 'certificate validated');
    assert.equal(info.length, 1, t.output());
    assert.equal(info[0]?.bundle, 'server');
    assert.equal(info[0]?.subject, 'CN=short.alice');
    assert.equal(info[0]?.notAfter, notAfter);
    assert.equal(info[0]?.daysLeft, 1); // 2 days minus the seconds start-up took, rounded down
    assert.ok(info[0]?.hoursLeft === 47 || info[0]?.hoursLeft === 48, t.output());
    assert.equal(info[0]?.chainLength, 2); // the leaf and the demo CA
    const warnings = logLines(t.stderr()).filter((l) => l.message === 'certificate expires soon');
    assert.equal(warnings.length, 1, t.output());
    assert.equal(warnings[0]?.severity, 'WARNING');
    assert.equal(warnings[0]?.bundle, 'server');
    assert.equal(warnings[0]?.role, 'leaf');
    assert.equal(warnings[0]?.subject, 'CN=short.alice');
    assert.equal(warnings[0]?.notAfter, notAfter);
    assert.equal(warnings[0]?.warnDays, 7);
    await stop(t);
  });

  test('run-cert-valid-a-year: info line with the notAfter, no warning', async () => {
    const pem = await issueCert(ctx.world.ca, {
      commonName: 'long.alice',
      dnsNames: ['localhost'],
      usage: 'server',
      notAfter: new Date(Date.now() + 364 * DAY),
    });
    store('long', pem);
    const t = await start('long');
    const info = logLines(t.stdout()).filter((l) => l.message === 'certificate validated');
    assert.equal(info.length, 1, t.output());
    assert.equal(info[0]?.bundle, 'server');
    assert.equal(info[0]?.subject, 'CN=long.alice');
    assert.equal(info[0]?.notAfter, new Date(new X509Certificate(pem.cert).validTo).toISOString());
    assert.equal(info[0]?.daysLeft, 363);
    assert.doesNotMatch(t.output(), /expires soon/);
    await stop(t);
  });
});
