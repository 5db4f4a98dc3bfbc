// guarded-fetch imports node-fetch by its bare name; gaxios (whose dependency it is) does the
// same from its own directory. Both must land on one copy, or teeinit would send the library's
// requests through a node-fetch gaxios never sees.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

test('node-fetch resolves to the copy gaxios uses', { timeout: 5_000 }, () => {
  const fromHere = createRequire(import.meta.url);
  const gaxios = fromHere.resolve('gaxios', {
    paths: [dirname(fromHere.resolve('google-auth-library'))],
  });
  const gaxiosCopy = pathToFileURL(createRequire(gaxios).resolve('node-fetch')).href;
  assert.equal(import.meta.resolve('node-fetch'), gaxiosCopy);
});
