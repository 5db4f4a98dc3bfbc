// The printed condition admits only what it says: commands generated for one digest leave
// another image refused at the token exchange, and the same image on a debug Confidential
// Space image too (dbgstat, STABLE); nothing starts.
import { after, afterEach, describe, test } from 'node:test';
import { stopAllTeeinit } from '../helpers/teeinit-process.js';
import { CASES, cleanUp, context, expectRefused, setUp } from './cases.js';
import { randomDigest } from './world.js';

describe(
  'teeinit collaborators: the printed condition refuses other images',
  { timeout: 300_000 },
  () => {
    afterEach(cleanUp);
    after(stopAllTeeinit);

    for (const c of [CASES[0]!, CASES[4]!, CASES.at(-1)!]) {
      test(
        `${c.name}: generated for another digest, the provider refuses the image`,
        { timeout: 120_000 },
        async () => {
          const ctx = context();
          const config = c.config(ctx);
          await setUp(ctx, config, randomDigest(), { digest: randomDigest() });
          await expectRefused(ctx, c.tree(config));
        },
      );
    }

    test(
      'the same image on a debug Confidential Space image is refused',
      { timeout: 120_000 },
      async () => {
        const ctx = context();
        const digest = randomDigest();
        const c = CASES[0]!;
        const config = c.config(ctx);
        await setUp(ctx, config, digest, { digest, preset: 'debug' });
        await expectRefused(ctx, c.tree(config));
      },
    );
  },
);
