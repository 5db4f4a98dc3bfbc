// Builds the plan from a loaded config: a pure function, no network and no file reads
// beyond what loading already did. Later stages follow the same order.
import { isLoopback, parseAddress } from '../config/address.js';
import { filePath } from '../config/complete-files.js';
import { formatPath } from '../config/format-issues.js';
import { SECRET_REF_RE } from '../config/rules/secrets.js';
import type { Config, ProcessConfig, ProxyConfig } from '../config/types.js';
import { statusPaths } from '../status/status-server.js';
import { planAttest } from './plan-attest.js';
import { previewTemplate } from './preview-template.js';
import type { Plan, PlannedAttest, PlannedProcess, PlannedStatus } from './types.js';

/** Describes what `run` would do with this config and these overrides. */
export function buildPlan(
  config: Config,
  overrides: Readonly<Record<string, string>>,
  hash: string,
  warnings: readonly string[] = [],
): Plan {
  return {
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
    files: Object.entries(config.files.entries).map(([from, e]) => ({
      from,
      path: filePath(config, from),
      mode: '0' + e.mode.toString(8).padStart(3, '0'),
      ...(e.owner !== undefined ? { owner: e.owner } : {}),
      ...(e.group !== undefined ? { group: e.group } : {}),
      encoding: e.encoding,
    })),
    templates: Object.entries(config.templates).map(([name, t]) => ({
      name,
      path: filePath(config, name),
      source: t.source ?? 'inline content',
    })),
    proxies: config.proxies.map((p) => ({
      name: p.name,
      mode: p.mode,
      listen: p.listen,
      target: p.target,
      ...(p.tls !== undefined ? { tls: p.tls } : {}),
      identities: Object.keys(p.identities),
      tlsVersion: p.tlsVersion,
      start: p.start,
      ...withAttest(p),
    })),
    ...(config.status === undefined ? {} : { status: planStatus(config.status.listen) }),
    processes: config.processes.map((p, i) => planProcess(config, overrides, p, i)),
    startOrder: [
      ...(config.status === undefined ? [] : ['status endpoint']),
      ...config.proxies.filter((p) => p.start === 'before-processes').map((p) => `proxy ${p.name}`),
      ...config.processes.map((p) => `process ${p.name}`),
      ...config.proxies.filter((p) => p.start === 'after-processes').map((p) => `proxy ${p.name}`),
    ],
    overrides,
    warnings,
  };
}

function planStatus(listen: string): PlannedStatus {
  const address = parseAddress(listen);
  const detailed = address !== undefined && isLoopback(address);
  return {
    listen,
    paths: statusPaths(detailed),
  };
}

function planProcess(
  config: Config,
  overrides: Readonly<Record<string, string>>,
  p: ProcessConfig,
  i: number,
): PlannedProcess {
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
      previewTemplate(config, overrides, arg, formatPath(['processes', i, 'run', j])),
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
