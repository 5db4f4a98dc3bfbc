// Secret version names map to the right URL; malformed names are config errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointsConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { accessUrl, isFloatingVersion, parseSecretRef } from './secret-ref.js';

const endpoints: EndpointsConfig = {
  sts: 'https://sts.googleapis.com',
  iamCredentials: 'https://iamcredentials.googleapis.com',
  secretManager: 'https://secretmanager.googleapis.com/',
  secretManagerRegional: 'https://secretmanager.{location}.rep.googleapis.com',
};

describe('parseSecretRef and accessUrl', () => {
  test('global ref', { timeout: 1000 }, () => {
    const ref = 'projects/alice-proj/secrets/server-key/versions/3';
    const parsed = parseSecretRef(ref, 'server-key');
    assert.deepEqual(parsed, { project: 'alice-proj', secret: 'server-key', version: '3' });
    assert.equal(
      accessUrl(endpoints, ref, parsed),
      'https://secretmanager.googleapis.com/v1/projects/alice-proj/secrets/server-key/versions/3:access',
    );
    assert.equal(isFloatingVersion(parsed), false);
  });

  test('regional ref uses the regional endpoint', { timeout: 1000 }, () => {
    const ref = 'projects/p-proj/locations/europe-west4/secrets/s/versions/latest';
    const parsed = parseSecretRef(ref, 's');
    assert.equal(parsed.location, 'europe-west4');
    assert.equal(
      accessUrl(endpoints, ref, parsed),
      'https://secretmanager.europe-west4.rep.googleapis.com/v1/projects/p-proj/locations/europe-west4/secrets/s/versions/latest:access',
    );
    assert.equal(isFloatingVersion(parsed), true);
  });

  const bad = [
    'projects/p-proj/secrets/s',
    'projects/p-proj/secrets/s/versions/1/extra',
    'projects/p-proj/secrets/s%2F../versions/1',
    'projects/p-proj/secrets/s/versions/1?alt=x',
    '',
  ];
  for (const ref of bad) {
    test(`rejects "${ref}"`, { timeout: 1000 }, () => {
      assert.throws(
        () => parseSecretRef(ref, 'x'),
        (e: unknown) => e instanceof TeeinitError && e.code === 'TEEINIT_CONFIG_INVALID',
      );
    });
  }
});
