// Processes: readiness has exactly one check with a valid address, and restart numbers
// are sane (backoff within maxBackoff).
import { parseAddress } from '../address.js';
import type { Config } from '../types.js';
import { invalidAt, keyPath } from './errors.js';

// Checks readiness and restart settings of every process.
export function checkProcesses(config: Config, _warnings: string[]): void {
  config.processes.forEach((p, i) => {
    const at = (...k: (string | number)[]): string => keyPath('processes', i, ...k);
    if (p.ready) {
      const checks = [p.ready.tcp, p.ready.file, p.ready.command].filter((c) => c !== undefined);
      if (checks.length !== 1)
        throw invalidAt(at('ready'), 'expected exactly one of tcp, file or command');
      if (p.ready.tcp !== undefined) {
        const addr = parseAddress(p.ready.tcp);
        if (!addr || addr.kind !== 'tcp' || addr.port === 0)
          throw invalidAt(at('ready', 'tcp'), 'expected "host:port"');
      }
      if (p.ready.file !== undefined && !p.ready.file.startsWith('/')) {
        throw invalidAt(at('ready', 'file'), 'expected an absolute path');
      }
      if (p.ready.interval > p.ready.timeout)
        throw invalidAt(at('ready', 'interval'), 'expected at most ready.timeout');
    }
    if (p.restart.backoff > p.restart.maxBackoff) {
      throw invalidAt(at('restart', 'backoff'), 'expected at most restart.maxBackoff');
    }
    if (p.cwd !== undefined && !p.cwd.startsWith('/'))
      throw invalidAt(at('cwd'), 'expected an absolute path');
  });
}
