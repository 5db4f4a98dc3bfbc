// google-auth-library prints request/response bodies (access tokens included) to stderr
// when GOOGLE_SDK_NODE_LOGGING is set — an environment variable an operator might set.
// teeinit's clients skip those interceptors: a child process with the variable set and
// impersonation on must not print the tokens it obtained.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ALICE, provider, startWorld, type World } from '../fetch/world.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';

const CHILD = `
import { createIdentities } from ${JSON.stringify(new URL('../../src/identity/index.js', import.meta.url).href)};
import { validateConfigTree } from ${JSON.stringify(new URL('../../src/config/index.js', import.meta.url).href)};
import { silentLogger } from ${JSON.stringify(new URL('../../src/log/index.js', import.meta.url).href)};
const config = validateConfigTree(JSON.parse(process.env.TEEINIT_TEST_CONFIG));
const ids = createIdentities(config, silentLogger());
const token = await ids.accessToken('alice');
process.stdout.write('TOKEN=' + token + '\\n');
`;

function runChild(
  config: unknown,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: {
        ...process.env,
        GOOGLE_SDK_NODE_LOGGING: '*',
        TEEINIT_TEST_CONFIG: JSON.stringify(config),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

describe('identity: no token in library debug logs', { timeout: 60_000 }, () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test('GOOGLE_SDK_NODE_LOGGING=* prints no access token', async () => {
    const tree = {
      version: 1,
      attestation: { tokenFile: world.em.tokenFile },
      endpoints: { sts: world.em.endpoints.sts, iamCredentials: world.em.endpoints.iamCredentials },
      collaborators: {
        alice: {
          provider: provider(ALICE),
          serviceAccount: `reader@${ALICE.project}.iam.gserviceaccount.com`,
        },
      },
    };
    const { stdout, stderr, code } = await runChild(tree);
    assert.equal(code, 0, stderr);
    const token = /TOKEN=(\S+)/.exec(stdout)?.[1];
    assert.ok(token && token.length > 10, stdout);
    assertNoSecrets(stderr, [token], 'stderr');
    assert.ok(!stderr.includes('access_token') && !stderr.includes('accessToken'), stderr);
  });
});
