// The operator's environment through the real CLI against the emulator. A variable that
// changes Node or an HTTP client refuses the start unless `environment.accept` names it
// (one case per class: Node, OpenSSL, proxies, Google libraries), naming the variable and
// never its value, before any port opens. The trap: HTTPS_PROXY/HTTP_PROXY pointing at a
// listener the test owns sees no connection, whether teeinit refuses them or accepts them
// (accepted variables are for the application; teeinit's own calls never use a proxy).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import { canConnect, freePort } from '../helpers/net.js';
import { FIXTURES, runTeeinit, type TeeinitProcess } from '../helpers/teeinit-process.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { useRunWorld } from './run-world.js';
import { worldConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

/** A TCP listener that counts connections and closes each at once. */
async function trap(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  const port = await freePort();
  let count = 0;
  const server: Server = createServer((s) => {
    count++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('run: the environment beyond the allow-list', { timeout: 240_000 }, () => {
  const ctx = useRunWorld('teeinit-env');
  let proxy: Awaited<ReturnType<typeof trap>>;
  let caFile: string;
  let emptyFile: string;
  let n = 0;
  before(async () => {
    proxy = await trap();
    caFile = join(ctx.work, 'extra-ca.pem');
    writeFileSync(caFile, ctx.world.ca.cert);
    emptyFile = join(ctx.work, 'openssl.cnf');
    writeFileSync(emptyFile, '');
    // A secret the VM's own service account may read, for `credentials: adc`.
    const sa = ctx.world.emulator.attestation.settings.googleServiceAccounts[0] ?? '';
    applySeed(
      ctx.world.emulator.store,
      parseSeedDocument({
        secrets: [
          {
            project: 'operator-proj',
            id: 'op',
            versions: [{ data: 'operator secret' }],
            bindings: [
              { role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${sa}`] },
            ],
          },
        ],
      }),
      Date.now,
    );
  });
  after(() => proxy.close());

  /** The world's config, one recording process, a status port, and `extra` merged in. */
  async function start(
    env: NodeJS.ProcessEnv,
    extra: Record<string, unknown> = {},
  ): Promise<{ t: TeeinitProcess; dir: string; statusPort: number }> {
    const name = `env-${++n}`;
    const dir = join(ctx.secrets.path, name);
    const statusPort = await freePort();
    const pidFile = join(ctx.work, `${name}.pid`);
    const config = worldConfig(
      ctx.world,
      dir,
      [
        {
          name: 'app',
          // Ready once its handlers are installed (the pid file comes after them), so the
          // SIGTERM a test sends after `running` ends it with exit code 0.
          run: [
            process.execPath,
            FIXTURES + 'record-signals.js',
            join(ctx.work, `${name}.log`),
            pidFile,
          ],
          ready: { file: pidFile, timeout: '60s', interval: '50ms' },
        },
      ],
      { status: { listen: `127.0.0.1:${statusPort}` }, ...extra },
    ) as Record<string, any>;
    allowNonTmpfs(config, ctx.secrets);
    // Without the world's TLS bundle, its key file entry names nothing.
    if (extra.tls !== undefined) config.files.entries = {};
    const path = join(ctx.work, `${name}.json`);
    writeFileSync(path, JSON.stringify(config));
    return { t: runTeeinit(['run', '-c', path], env), dir, statusPort };
  }

  const secretLooking = `s3cr3t-${randomBytes(8).toString('hex')}`;
  // [class, variable, value]: the value must let Node itself start.
  const refused: [string, string, () => string][] = [
    ['Node', 'NODE_OPTIONS', () => `--max-old-space-size=300 --title=${secretLooking}`],
    ['Node', 'NODE_EXTRA_CA_CERTS', () => caFile],
    ['Node', 'NODE_TLS_REJECT_UNAUTHORIZED', () => '0'],
    ['OpenSSL', 'OPENSSL_CONF', () => emptyFile],
    ['proxy', 'HTTPS_PROXY', () => `${proxy.url}/${secretLooking}`],
    ['proxy', 'http_proxy', () => `${proxy.url}/${secretLooking}`],
    ['proxy', 'NO_PROXY', () => secretLooking],
    ['Google', 'GOOGLE_APPLICATION_CREDENTIALS', () => `/tmp/${secretLooking}.json`],
    ['Google', 'GCE_METADATA_HOST', () => `127.0.0.1:1/${secretLooking}`],
    ['Google', 'GOOGLE_SDK_NODE_LOGGING', () => 'auth'],
  ];
  for (const [kind, variable, value] of refused) {
    test(`${kind}: ${variable} set and not accepted refuses the start`, async () => {
      const before = proxy.count();
      const { t, dir, statusPort } = await start({ [variable]: value() });
      assert.equal(await t.exited(), 78, t.output());
      assert.equal(t.stdout(), '');
      const [line] = t.stderr().split('\n');
      assert.match(
        line!,
        new RegExp(`^teeinit: TEEINIT_ENV_REFUSED: Environment variable ${variable} is set \\(`),
      );
      assert.ok(!t.output().includes(secretLooking), t.output());
      assert.doesNotMatch(t.output(), /status endpoint listening|teeinit starting/);
      assert.equal(await canConnect(statusPort), false, 'the status port never opened');
      assert.ok(!existsSync(dir), 'no secret file written');
      assert.equal(proxy.count(), before, 'no connection reached the proxy');
    });
  }

  test('an empty variable counts as unset', async () => {
    const { t } = await start({ HTTPS_PROXY: '', NODE_OPTIONS: '' });
    await t.waitFor(/"message":"running"/);
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 0, t.output());
  });

  test('NODE_TLS_REJECT_UNAUTHORIZED cannot be accepted: the config is refused', async () => {
    const { t } = await start({}, { environment: { accept: ['NODE_TLS_REJECT_UNAUTHORIZED'] } });
    assert.equal(await t.exited(), 78, t.output());
    assert.match(
      t.stderr(),
      /^teeinit: TEEINIT_CONFIG_INVALID: environment\.accept\[0\]: this variable is never accepted/,
    );
  });

  test('the trap: accepted proxy variables are ignored by every call teeinit makes', async () => {
    const before = proxy.count();
    const proxies = ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy', 'ALL_PROXY'];
    const { t } = await start(Object.fromEntries(proxies.map((p) => [p, proxy.url])), {
      environment: { accept: proxies },
    });
    // Both collaborators' STS exchanges and five Secret Manager reads went direct.
    await t.waitFor(/"message":"running"/);
    assert.match(t.output(), /"message":"environment accepted by the config"/);
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 0, t.output());
    assert.equal(proxy.count(), before, 'connections reached the proxy');
    assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
  });

  test('the trap with credentials: adc through the metadata server (accepted GCE_METADATA_HOST)', async () => {
    const before = proxy.count();
    const metadataHost = new URL(ctx.world.emulator.endpoints.metadata).host;
    const accept = ['GCE_METADATA_HOST', 'HTTPS_PROXY', 'HTTP_PROXY'];
    const { t } = await start(
      {
        GCE_METADATA_HOST: metadataHost,
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
        HOME: ctx.work,
      },
      {
        environment: { accept },
        collaborators: { operator: { credentials: 'adc' } },
        secrets: { op: { from: 'operator', ref: 'projects/operator-proj/secrets/op/versions/1' } },
        keys: {},
        tls: {},
      },
    );
    await t.waitFor(/"message":"running"/);
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 0, t.output());
    assert.equal(proxy.count(), before, 'connections reached the proxy');
  });

  test('a variable not guarded, or NODE_OPTIONS accepted, runs', async () => {
    const { t } = await start(
      { NODE_OPTIONS: '--max-old-space-size=300', SOME_APP_SETTING: 'x' },
      { environment: { accept: ['NODE_OPTIONS'] } },
    );
    await t.waitFor(/"message":"running"/);
    assert.match(t.output(), /"accepted":\["NODE_OPTIONS"\]/);
    t.kill('SIGTERM');
    assert.equal(await t.exited(), 0, t.output());
  });
});
