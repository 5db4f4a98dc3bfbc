// Turns the plan's processes into what the supervisor launches: argv and env rendered from
// the secret files' current material, and numeric uid/gid for the configured user and group.
import type { ProcessConfig } from '../config/types.js';
import type { SecretFiles } from '../materialize/index.js';
import type { Plan } from '../plan/types.js';
import { resolveGroup, resolveUser } from '../preflight/users.js';
import type { LaunchSpec } from '../supervisor/index.js';

/** Why: the supervisor starts processes from specs, never from the config. */
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
