// Turns the config's processes into what the supervisor launches: rendered argv and env,
// and numeric uid/gid for the configured user and group.
import type { ProcessConfig } from '../config/types.js';
import type { SecretFiles } from '../materialize/index.js';
import { resolveGroup, resolveUser } from '../preflight/users.js';
import type { Plan } from '../plan/types.js';
import type { LaunchSpec } from '../supervisor/index.js';

export function buildLaunchSpecs(plan: Plan, files: SecretFiles): LaunchSpec[] {
  return plan.processes.map((process) => buildLaunchSpec(files, process.config));
}

/** One process's spec, rendered from the current material (also for a refresh restart). */
export function buildLaunchSpec(files: SecretFiles, process: ProcessConfig): LaunchSpec {
  const { argv, env } = files.renderArgs(process);
  const user = process.user === undefined ? undefined : resolveUser(process.user);
  const gid = process.group === undefined ? user?.gid : resolveGroup(process.group);
  return {
    config: process,
    argv,
    env,
    ...(user === undefined ? {} : { uid: user.uid }),
    ...(gid === undefined ? {} : { gid }),
  };
}
