// Helpers shared by the fetch integration tests: run fetchAll with fresh identities,
// capture every log, and check errors and logs for the test's secret values.
import assert from 'node:assert/strict';
import type { Config } from '../../src/config/index.js';
import { TeeinitError, type ErrorCode } from '../../src/errors/index.js';
import { createIdentities } from '../../src/identity/index.js';
import { fetchAll } from '../../src/secrets/index.js';
import type { CapturedLog } from '../helpers/capture-logger.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { logCapture, type World } from './world.js';

/** `projects/P/secrets/S/versions/V`. */
export const ref = (project: string, id: string, version: string | number = 1): string =>
  `projects/${project}/secrets/${id}/versions/${version}`;

/** Knows a test file's secret values and every log it captured. */
export class FetchHarness {
  readonly #values: readonly string[];
  readonly #captures: CapturedLog[] = [];

  constructor(values: readonly string[]) {
    this.#values = values;
  }

  /** A captured logger (`onLine` sees each line as it is written) kept for assertNoLeaks. */
  capture(onLine?: (line: string) => void): CapturedLog {
    const c = logCapture(onLine);
    this.#captures.push(c);
    return c;
  }

  /** fetchAll with fresh identities and a captured logger. */
  run(world: World, config: Config, log = this.capture(), signal?: AbortSignal) {
    const ids = createIdentities(config, log.logger);
    return fetchAll(config, ids, {
      logger: log.logger,
      baseDir: world.dir,
      ...(signal ? { signal } : {}),
    });
  }

  /** An assert.rejects predicate: code, message parts, and no secret value in the message. */
  failsWith(code: ErrorCode, ...parts: string[]) {
    return (e: unknown): boolean => {
      assert.ok(e instanceof TeeinitError, `expected a TeeinitError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      for (const p of parts) assert.ok(e.message.includes(p), `"${p}" not in: ${e.message}`);
      assertNoSecrets(e.message, this.#values, 'the error message');
      return true;
    };
  }

  /** Asserts no captured log line holds a secret value. */
  assertNoLeaks(): void {
    assertNoSecrets(
      this.#captures.map((c) => c.text()),
      this.#values,
      'a captured log',
    );
  }
}
