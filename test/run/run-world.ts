// The shared setup of the run and refresh tests: a work dir, a secrets dir (tmpfs when the machine has
// one), the demo world's emulator, and an after hook that stops every teeinit still running
// (with its children), the emulator, and removes both dirs.
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startDemoWorld, type DemoWorld } from '../../emulator/demo-world.js';
import { hkdfSha256 } from '../../src/keys/kdf.js';
import type { SecretValue } from '../helpers/leak-scan.js';
import { stopAllTeeinit } from '../helpers/teeinit-process.js';
import { removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';

/** What a run test uses; reading it before the before hook ran throws. */
export interface RunWorld {
  readonly world: DemoWorld;
  readonly work: string;
  readonly secrets: { readonly path: string; readonly onTmpfs: boolean };
  /** The world's secret values and the `session-psk` teeinit derives from its shares. */
  readonly secretValues: readonly SecretValue[];
}

/**
 * Why: every run derives the world's `session-psk` (hkdf-sha256, default salt, info = the
 * key's name); a leak scan must look for those bytes too, not only for the fetched values.
 */
export function demoSecretValues(world: DemoWorld): SecretValue[] {
  const share = (collaborator: 'alice' | 'bob') => ({
    collaborator,
    secret: `${collaborator}-share`,
    bytes: Buffer.from(world.shares[collaborator], 'hex'),
  });
  const psk = hkdfSha256([share('alice'), share('bob')], 'teeinit-psk-v1', 'session-psk', 32);
  return [...world.secretValues, psk];
}

/** Why: the run suites and refresh-restart share this setup; call inside `describe()`. */
export function useRunWorld(prefix: string): RunWorld {
  let state: RunWorld | undefined;
  before(async () => {
    const work = tempDir(`${prefix}-`).dir;
    const secrets = tmpfsDir(`${prefix}-secrets-`);
    const world = await startDemoWorld({ stateDir: join(work, 'emulator') });
    state = { work, secrets, world, secretValues: demoSecretValues(world) };
  });
  after(async () => {
    await stopAllTeeinit();
    if (state === undefined) return;
    await state.world.stop();
    removeDir(state.work);
    removeDir(state.secrets.path);
  });
  const get = (): RunWorld => {
    if (state === undefined) throw new Error('useRunWorld: read before its before hook ran');
    return state;
  };
  return {
    get world() {
      return get().world;
    },
    get work() {
      return get().work;
    },
    get secrets() {
      return get().secrets;
    },
    get secretValues() {
      return get().secretValues;
    },
  };
}
