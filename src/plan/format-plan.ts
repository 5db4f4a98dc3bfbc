// Prints a plan for people (text, the default) or programs (`--json`): its document, the
// plan without config objects.
import type { Plan, PlanDocument, PlannedStep } from './types.js';
import { formatAttest } from './plan-attest.js';

/** Renders the plan; the text form groups steps in the order `run` performs them. */
export function formatPlan(plan: Plan, format: 'text' | 'json'): string {
  if (format === 'json') return JSON.stringify(planDocument(plan), null, 2) + '\n';
  return formatText(planDocument(plan));
}

/**
 * Why: the printed form is a stable format of its own: files in the order of
 * `files.entries` with octal modes, proxies and processes without their config objects,
 * the start order as `status endpoint`, `proxy NAME`, `process NAME`.
 */
export function planDocument(plan: Plan): PlanDocument {
  const order = Object.keys(plan.config.files.entries);
  const files = [...plan.files].sort((a, b) => order.indexOf(a.from) - order.indexOf(b.from));
  return {
    hash: plan.hash,
    preflight: plan.preflight,
    collaborators: plan.collaborators,
    fetches: plan.fetches,
    keys: plan.keys,
    tlsChecks: plan.tlsChecks,
    filesDir: plan.filesDir,
    files: files.map((f) => ({
      from: f.from,
      path: f.path,
      mode: '0' + f.mode.toString(8).padStart(3, '0'),
      ...(f.owner !== undefined ? { owner: f.owner } : {}),
      ...(f.group !== undefined ? { group: f.group } : {}),
      encoding: f.encoding,
    })),
    templates: plan.templates,
    proxies: plan.proxies.map(({ config: _config, secrets: _secrets, ...shown }) => shown),
    ...(plan.status === undefined ? {} : { status: plan.status }),
    processes: plan.processes.map(({ config: _config, uses: _uses, ...shown }) => shown),
    startOrder: plan.startOrder.map(stepName),
    overrides: plan.overrides,
    warnings: plan.warnings,
  };
}

function stepName(step: PlannedStep): string {
  if (step.kind === 'status') return 'status endpoint';
  return step.kind === 'proxy' ? `proxy ${step.proxy.name}` : `process ${step.process.name}`;
}

function formatText(plan: PlanDocument): string {
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
