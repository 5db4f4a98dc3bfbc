// `teeinit validate`: load and check the config (no network); print its hash, its threshold
// keys (t of n, the shares and their collaborators: names, never a value) and warnings.
import { loadConfig } from '../../config/load.js';
import type { CliIo } from '../io.js';

/** Throws the config's TeeinitError; returns 0 when valid. */
export function validateCommand(configPath: string, io: CliIo): number {
  const { config, hash, warnings } = loadConfig(configPath, io.env);
  const lines = [
    'config OK',
    `hash: ${hash}`,
    ...Object.entries(config.keys).flatMap(([name, k]) =>
      k.threshold === undefined
        ? []
        : [
            `threshold key ${name}: any ${k.threshold} of ${k.shares.length} shares: ${k.shares
              .map((s) => `${s} (${config.secrets[s]?.from ?? '?'})`)
              .join(', ')}`,
          ],
    ),
    ...warnings.map((w) => `warning: ${w}`),
  ];
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
