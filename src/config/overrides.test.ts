import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { loadConfigTree } from './load.js';
import { resolveOverrides } from './overrides.js';
import { baseTree } from './test-fixtures.js';

function configWith(env: Record<string, { pattern: string; default?: string }>) {
  const t = baseTree();
  t.overrides = { env };
  return loadConfigTree(t, { env: { REGION: 'us-east1' } }).config;
}

describe('operator overrides', { timeout: 10_000 }, () => {
  const config = configWith({
    MAXMEMORY: { pattern: '[0-9]+mb', default: '64mb' },
    REGION: { pattern: '[a-z]+-[a-z]+[0-9]' },
  });

  test('uses the value when it matches, the default when unset', () => {
    assert.deepEqual(resolveOverrides(config, { MAXMEMORY: '128mb', REGION: 'us-east1' }), {
      MAXMEMORY: '128mb',
      REGION: 'us-east1',
    });
    assert.deepEqual(resolveOverrides(config, { REGION: 'eu-west4' }), {
      MAXMEMORY: '64mb',
      REGION: 'eu-west4',
    });
  });

  test('ignores variables that are not allow-listed', () => {
    const out = resolveOverrides(config, { REGION: 'us-east1', PATH: '/bin', EVIL: 'x' });
    assert.deepEqual(Object.keys(out).sort(), ['MAXMEMORY', 'REGION']);
  });

  const rejected: [string, NodeJS.ProcessEnv, string][] = [
    [
      'unset without default',
      { MAXMEMORY: '1mb' },
      'REGION is not set and overrides.env.REGION has no default',
    ],
    ['partial match (anchored)', { REGION: 'us-east1; rm -rf /' }, 'REGION'],
    [
      'suffix after a match (anchored)',
      { REGION: 'us-east1x' },
      'does not match overrides.env.REGION.pattern.',
    ],
    ['empty value', { REGION: '' }, 'REGION (0 characters)'],
    ['too long', { REGION: 'a'.repeat(5000) }, 'REGION (5000 characters)'],
  ];
  for (const [what, env, fragment] of rejected) {
    test(`rejects: ${what}, without echoing the value`, () => {
      assert.throws(
        () => resolveOverrides(config, env),
        (e: unknown) => {
          assert.ok(e instanceof TeeinitError);
          assert.equal(e.code, 'TEEINIT_OVERRIDE_REJECTED');
          assert.ok(e.message.includes(fragment), e.message);
          assert.ok(!e.message.includes('rm -rf') && !e.message.includes('aaaaaaaa'), e.message);
          // Nor the pattern: a config error shows key paths, never content of the file.
          assert.ok(!e.message.includes('[a-z]'), e.message);
          return true;
        },
      );
    });
  }

  test('overrides are part of the config hash', () => {
    const t = baseTree();
    t.overrides = { env: { PORT: { pattern: '[0-9]+', default: '1' } } };
    const a = loadConfigTree(t, { env: { PORT: '80' } }).hash;
    const b = loadConfigTree(t, { env: { PORT: '81' } }).hash;
    const c = loadConfigTree(t, { env: { PORT: '80' } }).hash;
    assert.notEqual(a, b);
    assert.equal(a, c);
    assert.match(a, /^[0-9a-f]{64}$/);
  });
});
