// Builds the plan from a loaded config: a pure function, no network and no file reads
// beyond what loading already did. `run` executes what it returns, in its order.
import { isLoopback, parseAddress } from '../config/address.js';
import { formatPath } from '../config/format-issues.js';
import type { LoadedConfig } from '../config/load.js';
import { proxySecretsOf, secretUseOf } from '../config/refresh-dependencies.js';
import { SECRET_REF_RE } from '../config/rules/secrets.js';
import type { ProcessConfig, ProxyConfig } from '../config/types.js';
import { planFiles } from './file-plan.js';
import { planAttest } from './plan-attest.js';
import { planDocument } from './format-plan.js';
import { previewTemplate } from './preview-template.js';
import type {
  Plan,
  PlannedAttest,
  PlannedProcess,
  PlannedProxy,
  PlannedStatus,
  PlannedStep,
} from './types.js';

/** Why: the one description of a run, for `teeinit plan` to print and `run` to execute. */
export function buildPlan(loaded: LoadedConfig): Plan {
  const { config, overrides, hash, warnings, references } = loaded;
  const files = planFiles(config, references);
  const paths = new Map(files.map((f) => [f.from, f.path]));
  const proxies: PlannedProxy[] = config.proxies.map((p) => ({
    name: p.name,
    mode: p.mode,
    listen: p.listen,
    target: p.target,
    ...(p.tls !== undefined ? { tls: p.tls } : {}),
    identities: Object.keys(p.identities),
    tlsVersion: p.tlsVersion,
    start: p.start,
    ...withAttest(p),
    config: p,
    secrets: proxySecretsOf(config, p),
  }));
  const processes = config.processes.map((p, i): PlannedProcess => ({
    ...describeProcess(p, i, paths, overrides),
    config: p,
    uses: secretUseOf(config, references, p.name),
  }));
  const status = config.status === undefined ? undefined : planStatus(config.status.listen);
  const plan: Plan = {
    config,
    hash,
    preflight: {
      acceptedEnvironment: [...config.environment.accept],
      pid1Allowed: config.unsafeAllowPid1,
    },
    collaborators: Object.entries(config.collaborators).map(([name, c]) => ({ name, ...c })),
    fetches: Object.entries(config.secrets).map(([secret, s]) => ({
      secret,
      collaborator: s.from,
      source: s.source,
      ...(s.ref !== undefined ? { ref: s.ref } : {}),
      ...(s.path !== undefined ? { path: s.path } : {}),
      latest: s.ref !== undefined && SECRET_REF_RE.exec(s.ref)?.[1] === 'latest',
    })),
    keys: Object.entries(config.keys).map(([name, k]) => ({
      name,
      kdf: k.kdf,
      ...(k.threshold === undefined ? {} : { threshold: k.threshold }),
      shares: k.shares.map((secret) => ({
        secret,
        collaborator: config.secrets[secret]?.from ?? '?',
      })),
    })),
    tlsChecks: Object.entries(config.tls).map(([name, b]) => ({ name, ...b })),
    filesDir: config.files.dir,
    files,
    templates: Object.entries(config.templates).map(([name, t]) => ({
      name,
      path: paths.get(name) ?? '',
      source: t.source ?? 'inline content',
    })),
    proxies,
    ...(status === undefined ? {} : { status }),
    processes,
    startOrder: startOrder(status, proxies, processes),
    overrides,
    warnings,
    references,
    toJSON: () => planDocument(plan),
  };
  return plan;
}

/**
 * Why: the status endpoint answers from before identity and fetch; proxies marked
 * `before-processes` open before the first process starts, the others once every process
 * is ready.
 */
function startOrder(
  status: PlannedStatus | undefined,
  proxies: readonly PlannedProxy[],
  processes: readonly PlannedProcess[],
): PlannedStep[] {
  const proxiesStarting = (when: PlannedProxy['start']): PlannedStep[] =>
    proxies.filter((p) => p.start === when).map((proxy) => ({ kind: 'proxy', proxy }));
  return [
    ...(status === undefined ? [] : [{ kind: 'status' as const, status }]),
    ...proxiesStarting('before-processes'),
    ...processes.map((process) => ({ kind: 'process' as const, process })),
    ...proxiesStarting('after-processes'),
  ];
}

/** Why: one list for the endpoint, its log line and the plan; details on loopback only. */
export function statusPaths(detailed: boolean): readonly string[] {
  return detailed ? ['/healthz', '/readyz', '/status', '/metrics'] : ['/healthz', '/readyz'];
}

/** Names, counters and dates describe the workload: `/status` and `/metrics` on loopback only. */
function planStatus(listen: string): PlannedStatus {
  const address = parseAddress(listen);
  const detailed = address !== undefined && isLoopback(address);
  return { listen, paths: statusPaths(detailed) };
}

function describeProcess(
  p: ProcessConfig,
  i: number,
  paths: ReadonlyMap<string, string>,
  overrides: Readonly<Record<string, string>>,
): Omit<PlannedProcess, 'config' | 'uses'> {
  const r = p.restart;
  const ready =
    p.ready?.tcp !== undefined
      ? `tcp ${p.ready.tcp}`
      : p.ready?.file !== undefined
        ? `file ${p.ready.file}`
        : p.ready?.command !== undefined
          ? `command ${p.ready.command.join(' ')}`
          : undefined;
  return {
    name: p.name,
    argv: p.run.map((arg, j) =>
      previewTemplate(arg, formatPath(['processes', i, 'run', j]), paths, overrides),
    ),
    env: Object.keys(p.env),
    inheritEnv: p.inheritEnv,
    ...(p.user !== undefined ? { user: p.user } : {}),
    ...(p.group !== undefined ? { group: p.group } : {}),
    ...(ready !== undefined ? { ready: `${ready} (timeout ${p.ready?.timeout ?? 0}ms)` } : {}),
    restart:
      r.policy === 'never'
        ? 'never'
        : `${r.policy} (max ${r.maxRestarts} in ${r.window}ms, backoff ${r.backoff}-${r.maxBackoff}ms)`,
  };
}

/** The proxy's `attest` part, when it has one (src/plan/plan-attest.ts). */
function withAttest(p: ProxyConfig): { attest?: PlannedAttest } {
  const attest = planAttest(p);
  return attest === undefined ? {} : { attest };
}
