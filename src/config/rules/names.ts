// Names must be unambiguous: process names, proxy names, and one namespace shared by
// secrets, keys and templates (a `{{ file NAME }}` must mean exactly one thing).
import type { Config } from '../types.js';
import { invalidAt, keyPath } from './errors.js';

// Checks the three name rules.
export function checkNames(config: Config, _warnings: string[]): void {
  unique(
    'processes',
    config.processes.map((p) => p.name),
  );
  unique(
    'proxies',
    config.proxies.map((p) => p.name),
  );
  const seen = new Map<string, string>();
  for (const section of ['secrets', 'keys', 'templates'] as const) {
    for (const name of Object.keys(config[section])) {
      const first = seen.get(name);
      if (first !== undefined) {
        throw invalidAt(
          keyPath(section, name),
          `the name is already used by ${keyPath(first, name)}; secrets, keys and templates share one namespace`,
        );
      }
      seen.set(name, section);
    }
  }
  if (config.processes.length === 0 && config.proxies.length === 0) {
    throw invalidAt('processes', 'expected at least one process (or a proxy)');
  }
}

function unique(section: string, names: readonly string[]): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw invalidAt(
        keyPath(section, i, 'name'),
        `duplicate name, the same as ${keyPath(section, first, 'name')}`,
      );
    }
    seen.set(name, i);
  });
}
