// Turns teeinit's JSON log into the demo's plain sentences: what it fetched from whom, what
// it checked, wrote and started, how it stopped. Every sentence quotes a record teeinit
// wrote; nothing is claimed that the log does not say.
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { dim, formatMs, say, sayMs } from './demo-print.js';
import { field, isRecord, type LogLine } from './demo-teeinit.js';

// Why: a newcomer wants the sequence and its timings, not thirty JSON records.
/** Says what teeinit did from its start to `running`. */
export function narrateStartup(lines: readonly LogLine[]): void {
  const find = (m: string, stage?: string): LogLine | undefined => lines.find(isRecord(m, stage));
  const all = (m: string, stage?: string): LogLine[] => lines.filter(isRecord(m, stage));
  say(
    `config SHA-256 ${field(find('teeinit starting'), 'configSha256').slice(0, 16)}… (logged first, for collaborators to pin)`,
  );

  const fetched = all('secret fetched', 'fetch');
  const byCollaborator = new Map<string, string[]>();
  for (const line of fetched) {
    const who = field(line, 'collaborator');
    byCollaborator.set(who, [...(byCollaborator.get(who) ?? []), field(line, 'secret')]);
  }
  const total = find('secrets fetched');
  sayMs(`fetched ${field(total, 'count')} secrets from Secret Manager`, field(total, 'ms'));
  for (const [who, names] of byCollaborator)
    say(`from ${who} (with ${who}'s own credential): ${names.join(', ')}`, 1);

  const checked = find('material validated');
  const tls = Number(field(checked, 'tls'));
  const keys = Number(field(checked, 'keys'));
  say('checked before starting anything:');
  if (tls > 0)
    say(
      'the server key matches its certificate, which chains to the CA, is valid now and fit for a TLS server',
      1,
    );
  if (keys > 0) say(`${keys} PSK derived from both shares`, 1);

  const written = all('secret file written', 'materialize');
  if (written.length === 0) {
    say('no secret file written: the proxies hold the certificate and the PSK in memory');
  } else {
    const where = written[0] ? field(written[0], 'path').replace(/\/[^/]*$/, '') : '';
    say(`wrote ${where}/ (tmpfs), key first:`);
    for (const line of written) {
      const name = basename(field(line, 'path')).padEnd(12);
      say(`${name} ${field(line, 'mode')}  ${userName(field(line, 'uid'))}`, 1);
    }
  }
  for (const line of all('ready', 'supervisor')) {
    sayMs(`${field(line, 'process')} started and accepting connections`, field(line, 'ms'));
  }
  for (const line of all('proxy listening', 'proxy')) {
    say(
      `${field(line, 'proxy')} (${field(line, 'mode')}) listening on ${field(line, 'address')} → ${field(line, 'target')}`,
    );
  }
  for (const line of lines.filter((l) => l.record && l.record.severity !== 'INFO')) {
    say(dim(`teeinit ${field(line, 'severity').toLowerCase()}: ${field(line, 'message')}`));
  }
  const uptime = formatMs(Number(field(find('running'), 'uptimeMs')));
  say(
    `running: secrets in place, backend and proxies up ${dim(`(${uptime} after teeinit started)`)}`,
  );
}

// Why: the shutdown is where secrets must disappear; show each part of it.
/** Says how teeinit stopped, from the records it wrote after SIGTERM. */
export function narrateShutdown(lines: readonly LogLine[]): void {
  for (const line of lines.filter(isRecord('exited', 'supervisor'))) {
    say(
      `teeinit forwarded the signal; ${field(line, 'process')} exited with ${field(line, 'code') || field(line, 'signal')}`,
    );
  }
  const removed = lines.find(isRecord('secret files removed'));
  if (removed && field(removed, 'count') !== '0')
    say(`teeinit removed ${field(removed, 'count')} secret file(s)`);
}

// Why: the demo checks its own claim that no secret value is ever printed.
/** How many of `values` appear (whole, or any 40+ character line of a PEM) in the log. */
export function leakedSecrets(lines: readonly LogLine[], values: readonly string[]): number {
  const text = lines.map((l) => l.text).join('\n');
  return values.filter((value) => {
    const pieces = [
      value,
      ...value.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----')),
    ];
    return pieces.some((p) => text.includes(p.trim()));
  }).length;
}

function userName(uid: string): string {
  try {
    const entry = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === uid);
    return `owner ${entry?.split(':')[0] ?? uid}`;
  } catch {
    return `uid ${uid}`;
  }
}
