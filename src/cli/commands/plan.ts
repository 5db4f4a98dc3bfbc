// `teeinit plan`: print what run would do, as text or JSON, without touching the network.
import { loadConfig } from '../../config/load.js';
import { buildPlan } from '../../plan/build-plan.js';
import { formatPlan } from '../../plan/format-plan.js';
import type { CliIo } from '../io.js';

/** Throws the config's TeeinitError; returns 0 after printing the plan. */
export function planCommand(configPath: string, json: boolean, io: CliIo): number {
  io.stdout.write(formatPlan(buildPlan(loadConfig(configPath, io.env)), json ? 'json' : 'text'));
  return 0;
}
