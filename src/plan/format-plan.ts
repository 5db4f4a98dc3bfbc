// Prints a plan for people (text, the default) or programs (`--json`).
import { formatAttest } from './plan-attest.js';
import type { Plan } from './types.js';

/** Renders the plan; the text form groups steps in the order `run` performs them. */
export function formatPlan(plan: Plan, format: 'text' | 'json'): string {
  if (format === 'json') return JSON.stringify(plan, null, 2) + '\n';
  const out: string[] = [`teeinit plan (config ${plan.hash})`];
  const section = (title: string, lines: string[]): void => {
    if (lines.length === 0) return;
    out.push('', `${title}:`, ...lines.map((l) => `  ${l}`));
  };
  const accepted = plan.preflight.acceptedEnvironment;
  section('before anything', [
    accepted.length === 0
      ? 'environment: any variable that changes Node or an HTTP client refuses the start'
      : `environment: accepts ${accepted.join(', ')}; any other variable that changes Node or an HTTP client refuses the start`,
    plan.preflight.pid1Allowed
      ? 'PID 1: allowed (unsafeAllowPid1: orphans stay zombies)'
      : 'PID 1: refused (run under tini or docker run --init)',
  ]);
  section(
    'collaborators',
    plan.collaborators.map((c) =>
      [c.name, c.credentials, c.provider, c.serviceAccount && `as ${c.serviceAccount}`]
        .filter(Boolean)
        .join('  '),
    ),
  );
  section(
    'fetch',
    plan.fetches.map(
      (f) =>
        `${f.secret} <- ${f.collaborator}: ${f.source === 'file' ? `file ${f.path ?? ''}` : (f.ref ?? '')}` +
        (f.latest ? '  (latest: not pinned)' : ''),
    ),
  );
  section(
    'derive',
    plan.keys.map(
      (k) =>
        `${k.name} = ${k.kdf}(${k.threshold === undefined ? '' : `any ${k.threshold} of ${k.shares.length}: `}${k.shares.map((s) => `${s.secret}@${s.collaborator}`).join(', ')})`,
    ),
  );
  section(
    'check',
    plan.tlsChecks.map(
      (t) =>
        `${t.name}: cert ${t.cert}, key ${t.key}${t.ca ? `, ca ${t.ca}` : ''} (usage ${t.usage})`,
    ),
  );
  section(
    `write (${plan.filesDir})`,
    plan.files.map(
      (f) =>
        `${f.path}  ${f.mode}${f.owner ? `  ${f.owner}${f.group ? `:${f.group}` : ''}` : ''}  <- ${f.from}` +
        (f.encoding === 'hex' ? ' (hex)' : ''),
    ),
  );
  section(
    'render',
    plan.templates.map((t) => `${t.path} <- template ${t.name} (${t.source})`),
  );
  section(
    'proxies',
    plan.proxies.flatMap((p) => [
      `${p.name}: ${p.mode} ${p.listen} -> ${p.target}` +
        (p.tls ? ` tls ${p.tls}` : '') +
        (p.identities.length ? ` identities ${p.identities.join(',')} (TLS ${p.tlsVersion})` : '') +
        `, ${p.start}`,
      ...(p.attest === undefined ? [] : formatAttest(p.attest).map((l) => `  ${l}`)),
    ]),
  );
  section(
    'status endpoint',
    plan.status === undefined
      ? []
      : [
          `${plan.status.listen}: ${plan.status.paths.join(', ')}` +
            (plan.status.paths.includes('/status') ? '' : ' (not loopback: no /status, /metrics)'),
        ],
  );
  section(
    'processes',
    plan.processes.flatMap((p) => [
      `${p.name}${p.user ? ` (user ${p.user}${p.group ? `:${p.group}` : ''})` : ''}: ${p.argv.map(quote).join(' ')}`,
      ...(p.env.length
        ? [`  env: ${p.env.join(', ')}${p.inheritEnv ? ' (+ inherited)' : ''}`]
        : []),
      ...(p.ready ? [`  ready: ${p.ready}`] : []),
      `  restart: ${p.restart}`,
    ]),
  );
  section(
    'start order',
    plan.startOrder.map((s, i) => `${i + 1}. ${s}`),
  );
  section(
    'overrides',
    Object.entries(plan.overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
  );
  section('warnings', [...plan.warnings]);
  return out.join('\n') + '\n';
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
