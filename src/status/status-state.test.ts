// StatusState: what /status reports of a failed refresh is redacted like the log line of
// the same failure (the registered secret values and tokens never reach the document).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { TeeinitError } from '../errors/index.js';
import { Redactor } from '../log/index.js';
import { StatusState } from './status-state.js';

describe('StatusState', { timeout: 5000 }, () => {
  test('a failed refresh message is redacted like the log', () => {
    const token = `ya29.${randomBytes(24).toString('hex')}`;
    const redactor = new Redactor();
    redactor.add(token);
    const state = new StatusState({
      version: 'test',
      configSha256: 'h',
      processes: ['app'],
      refresh: true,
      redactor,
    });
    // e.g. a non-JSON error page that echoes the request (the fetch keeps an excerpt).
    const error = new TeeinitError(
      'TEEINIT_SECRET_UNAVAILABLE',
      `Secret "pw": 502: Bad Gateway Authorization: Bearer ${token}`,
    );
    state.refreshFailed(error);
    const raw = JSON.stringify(state.snapshot());
    assert.ok(!raw.includes(token), 'the token reaches /status');
    assert.equal(state.snapshot().refresh.lastError?.code, 'TEEINIT_SECRET_UNAVAILABLE');
    assert.match(state.snapshot().refresh.lastError?.message ?? '', /Bearer \[REDACTED\]$/);
  });
});
