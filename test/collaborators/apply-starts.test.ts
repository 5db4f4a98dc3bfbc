// `teeinit collaborators` proven against the emulator: for every example config (and one
// with impersonation, an alias on a project number, a second version, `latest` and a `none`
// collaborator), each collaborator's printed commands, run by bash against a fresh emulator
// whose VM runs the image, are all the setup `teeinit run` needs to start.
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { runTeeinit, stopAllTeeinit } from '../helpers/teeinit-process.js';
import { CASES, cleanUp, context, runConfig, setUp } from './cases.js';
import { randomDigest } from './world.js';

describe('teeinit collaborators: the printed commands are the setup', { timeout: 300_000 }, () => {
  afterEach(cleanUp);
  after(stopAllTeeinit);

  for (const c of CASES) {
    test(
      `${c.name}: applied to a fresh emulator, teeinit run starts`,
      { timeout: 120_000 },
      async () => {
        const ctx = context();
        const digest = randomDigest();
        const config = c.config(ctx);
        const payloads = await setUp(ctx, config, digest, { digest });
        const tree = c.tree(config);
        const t = runTeeinit(['run', '-c', runConfig(ctx, tree)]);
        await t.waitFor(/"message":"running"/);
        const fetched = t.stdout().match(/"message":"secret fetched"/g) ?? [];
        assert.equal(fetched.length, Object.keys(tree.secrets).length, t.output());
        t.kill('SIGTERM');
        assert.equal(await t.exited(), 143, t.output());
        assertNoSecrets(t.output(), [...payloads.values.values()], 'the output of teeinit run');
      },
    );
  }
});
