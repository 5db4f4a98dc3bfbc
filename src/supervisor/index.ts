// Supervisor: starts the application's processes in order with readiness checks, restarts
// them per policy, forwards signals and ends with the main child's exit status (see README.md).
export { startSupervisor } from './supervisor.js';
export type {
  ExitOutcome,
  LaunchSpec,
  ProcessStatus,
  Supervisor,
  SupervisorOptions,
  SupervisorStatus,
} from './types.js';
export { toExitStatus } from './exit-status.js';
