// The shared setup of the run and refresh tests: a work dir, a secrets dir (tmpfs when the machine has
// one), the demo world's emulator, and an after hook that stops every teeinit still running
// (with its children), the emulator, and removes both dirs.
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startDemoWorld, type DemoWorld } from '../../emulator/demo-world.js';
import { stopAllTeeinit } from '../helpers/teeinit-process.js';
import { removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';

/** What a run test uses; reading it before the before hook ran throws. */
export interface RunWorld {
  readonly world: DemoWorld;
  readonly work: string;
  readonly secrets: { readonly path: string; readonly onTmpfs: boolean };
}

/** Why: the run suites and refresh-restart share this setup; call inside `describe()`. */
export function useRunWorld(prefix: string): RunWorld {
  let state: RunWorld | undefined;
  before(async () => {
    const work = tempDir(`${prefix}-`);
    const secrets = tmpfsDir(`${prefix}-secrets-`);
    state = { work, secrets, world: await startDemoWorld({ stateDir: join(work, 'emulator') }) };
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
  };
}
