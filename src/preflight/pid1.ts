// As PID 1 of a container, teeinit would inherit every orphan (a daemon's double fork, a
// grandchild whose parent died), and Node cannot reap them: libuv waits only for the
// processes it started (no waitpid(-1) without native code), so they would stay zombies,
// filling the process table. tini (or `docker run --init`) above teeinit reaps them; the
// examples' ENTRYPOINT starts teeinit under tini. Running as PID 1 anyway takes an explicit
// `unsafeAllowPid1: true` in the image's config, as tini's own `-s` warns when it is not
// PID 1 and not a subreaper.
import type { Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';

/** Throws TEEINIT_PID1_NO_REAPER when teeinit is PID 1 and the config does not allow it. */
export function checkPid1(config: Config, pid: number = process.pid): void {
  if (pid === 1 && !config.unsafeAllowPid1) {
    throw new TeeinitError(
      'TEEINIT_PID1_NO_REAPER',
      'teeinit is PID 1 and no init reaps orphans: a process that leaves one would fill the process table with zombies.',
    );
  }
}
