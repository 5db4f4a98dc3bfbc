import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigTree } from '../config/load.js';
import { baseTree } from '../config/test-fixtures.js';
import { TeeinitError } from '../errors/index.js';
import { checkEnvironment } from './environment.js';
import { GUARDED_VARIABLES } from '../config/guarded-variables.js';
import { sigusr1Disabled } from './node-flags.js';

const config = (accept: string[] = []) => {
  const tree = baseTree();
  tree.environment = { accept };
  return loadConfigTree(tree).config;
};

const refusal = (fn: () => void): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TeeinitError && e.code === 'TEEINIT_ENV_REFUSED', String(e));
    return e.message;
  }
  return '';
};

describe('preflight: the environment', () => {
  test('every guarded variable set refuses; accepted, it passes (unless never acceptable)', () => {
    for (const v of GUARDED_VARIABLES) {
      const env = { [v.name]: 'value-not-shown' };
      const message = refusal(() => checkEnvironment(config(), env, []));
      assert.match(message, new RegExp(`^Environment variable ${v.name} is set`), v.name);
      assert.ok(!message.includes('value-not-shown'), message);
      if (v.acceptable)
        assert.equal(
          refusal(() => checkEnvironment(config([v.name]), env, [])),
          '',
        );
    }
  });

  test('several set: the first is explained, the others named', () => {
    const env = {
      HTTPS_PROXY: 'x',
      NODE_OPTIONS: 'y',
      OPENSSL_CONF: 'z',
      no_proxy: 'w',
      SSL_CERT_DIR: 'v',
    };
    const message = refusal(() => checkEnvironment(config(), env, []));
    assert.match(
      message,
      /^Environment variable NODE_OPTIONS is set .* Also set: OPENSSL_CONF, SSL_CERT_DIR, HTTPS_PROXY and 1 more\.$/,
    );
  });

  test('--use-env-proxy refuses, from the command line or an accepted NODE_OPTIONS', () => {
    assert.match(
      refusal(() => checkEnvironment(config(), {}, ['--use-env-proxy'])),
      /--use-env-proxy/,
    );
    assert.match(
      refusal(() =>
        checkEnvironment(config(['NODE_OPTIONS']), { NODE_OPTIONS: '--use-env-proxy' }, []),
      ),
      /--use-env-proxy/,
    );
  });
});

test('preflight: --disable-sigusr1 in effect, the last of the flag and its negation wins', () => {
  assert.equal(sigusr1Disabled([], undefined), false);
  assert.equal(sigusr1Disabled(['--disable-sigusr1'], undefined), true);
  assert.equal(sigusr1Disabled([], '--disable-sigusr1'), true);
  assert.equal(sigusr1Disabled(['--no-disable-sigusr1'], '--disable-sigusr1'), false);
  assert.equal(sigusr1Disabled(['--disable-sigusr1', '--no-disable-sigusr1'], undefined), false);
});
