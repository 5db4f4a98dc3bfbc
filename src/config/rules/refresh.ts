// Refresh: retry backoff within its cap; no process left with a stale value — a secret
// that can change and reaches a process only as `{{ value }}` in argv/env needs
// `onRefresh: restart` (a running process's argv and environment cannot change); and a
// process restarted on refresh stops within refresh.deadline (a replacement waits up to
// stopTimeout for the old process, so a longer one could never finish in time).
import { TeeinitError } from '../../errors/index.js';
import { canChange, secretUseOf } from '../refresh-dependencies.js';
import type { Config } from '../types.js';
import { invalidAt, keyPath } from './errors.js';
import type { ReferencesOf } from './index.js';

// Checks `refresh` and every process's `onRefresh`.
export function checkRefresh(config: Config, warnings: string[], references: ReferencesOf): void {
  const refresh = config.refresh;
  if (refresh === undefined) checkOnRevokeWithoutRefresh(config);
  if (refresh === undefined) {
    config.processes.forEach((p, i) => {
      if (p.onRefresh !== 'none')
        warnings.push(`${keyPath('processes', i, 'onRefresh')} has no effect without \`refresh\``);
    });
    return;
  }
  if (refresh.retry.backoff > refresh.retry.maxBackoff)
    throw invalidAt('refresh.retry.backoff', 'expected at most refresh.retry.maxBackoff');
  if (refresh.jitter >= refresh.interval)
    throw invalidAt('refresh.jitter', 'expected less than refresh.interval');
  const changing = Object.entries(config.secrets).filter(([, s]) => canChange(s));
  if (changing.length === 0) {
    warnings.push(
      'refresh: every secret is a pinned Secret Manager version, which never changes; refresh only re-checks that each collaborator still grants it (revocation) and never rotates (use an alias to rotate)',
    );
  }
  config.processes.forEach((p, i) => {
    if (p.onRefresh === 'restart' && p.stopTimeout >= refresh.deadline) {
      const at = keyPath('processes', i, 'stopTimeout');
      throw new TeeinitError(
        'TEEINIT_REFRESH_STOP_TIMEOUT',
        `${at}: the process has onRefresh: restart and a stopTimeout not less than refresh.deadline; a refresh that restarts it could never finish within its deadline.`,
        {
          fields: { path: at },
          hint: `Set ${at} below refresh.deadline (with room to fetch and start the process again), or raise refresh.deadline.`,
        },
      );
    }
    if (p.onRefresh === 'restart') return;
    const use = secretUseOf(config, references(), p.name);
    const stale = changing.map(([name]) => name).filter((n) => use.values.has(n));
    if (stale.length === 0) return;
    const at = keyPath('processes', i, 'onRefresh');
    throw new TeeinitError(
      'TEEINIT_REFRESH_NEEDS_RESTART',
      `${at}: the process receives ${stale.map((s) => keyPath('secrets', s)).join(', ')} as {{ value }} in argv/env, which a refresh can change but a running process cannot see; set onRefresh: restart.`,
      {
        fields: { path: at, secrets: stale.join(',') },
        hint: 'Set `onRefresh: restart` on the process, pin the secret to a version number, or pass it as {{ file NAME }} and reload with onRefresh: { signal: SIGHUP }.',
      },
    );
  });
}

/**
 * `onRevoke` acts on what refresh cycles see: without `refresh` consent is checked once, at
 * start-up, and a setting that can never act is refused rather than silently ignored.
 */
function checkOnRevokeWithoutRefresh(config: Config): void {
  const set = [
    ...Object.entries(config.collaborators)
      .filter(([, c]) => c.onRevoke !== undefined)
      .map(([name]) => keyPath('collaborators', name, 'onRevoke')),
    ...Object.entries(config.keys)
      .filter(([, k]) => k.onRevoke !== undefined)
      .map(([name]) => keyPath('keys', name, 'onRevoke')),
  ];
  const [first] = set;
  if (first === undefined) return;
  throw new TeeinitError(
    'TEEINIT_CONFIG_INVALID',
    `${first}: onRevoke acts on refresh cycles, but the config has no \`refresh\` block; without it consent is checked once, at start-up.`,
    {
      fields: { path: first },
      hint: `Add a \`refresh\` block (e.g. \`refresh: { interval: 1h }\`) so a revocation is noticed while running, or remove ${set.join(', ')}.`,
    },
  );
}
