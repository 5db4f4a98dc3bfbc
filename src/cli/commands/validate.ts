// `teeinit validate`: load and check the config (no network); print its hash and warnings.
import { loadConfig } from '../../config/load.js';
import type { CliIo } from '../io.js';

/** Throws the config's TeeinitError; returns 0 when valid. */
export function validateCommand(configPath: string, io: CliIo): number {
  const { hash, warnings } = loadConfig(configPath, io.env);
  const lines = ['config OK', `hash: ${hash}`, ...warnings.map((w) => `warning: ${w}`)];
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
