// Test variants of the shipped example configs: the example's YAML is loaded as is and only
// the keys a test environment must change are overridden (endpoints, token file, secrets
// directory, ports, owners of files for stand-in processes), so the shipped config is what
// the end-to-end tests exercise.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO } from './harness.js';

/** The parts of a config file tree the tests read or override. */
export interface ExampleTree {
  attestation?: Record<string, unknown>;
  endpoints?: Record<string, string>;
  collaborators: Record<string, Record<string, string>>;
  secrets: Record<string, { from: string; ref?: string }>;
  keys?: Record<string, { shares: string[]; kdf?: string }>;
  files: { dir: string; entries?: Record<string, FileEntryTree> };
  templates?: Record<string, { source?: string; content?: string; allowValue?: boolean }>;
  proxies?: ProxyTree[];
  processes: ProcessTree[];
  status?: { listen: string };
  [key: string]: unknown;
}

export interface FileEntryTree {
  name?: string;
  mode?: string;
  owner?: string;
  group?: string;
}

export interface ProxyTree {
  name: string;
  listen: string;
  target: string;
  [key: string]: unknown;
}

export interface ProcessTree {
  name: string;
  run: string[];
  user?: string;
  env?: Record<string, string>;
  ready?: { tcp?: string; command?: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** Path of a file shipped in examples/<name>/. */
export function examplePath(name: string, file: string): string {
  return join(REPO, 'examples', name, file);
}

/** The example's config file, parsed (a fresh copy on every call). */
export function loadExample(name: string, file = 'teeinit.yaml'): ExampleTree {
  return parse(readFileSync(examplePath(name, file), 'utf8')) as ExampleTree;
}

/** Emulator endpoints and token file that replace Google's in a test variant. */
export interface TestEnvironment {
  /** Base URLs of the emulator's services, e.g. http://127.0.0.1:41234. */
  readonly sts: string;
  readonly iamCredentials: string;
  readonly secretManager: string;
  readonly tokenFile: string;
  readonly secretsDir: string;
}

/** Points the tree at the emulator and the scratch tmpfs; everything else stays as shipped. */
export function retarget(tree: ExampleTree, env: TestEnvironment): ExampleTree {
  tree.attestation = { ...tree.attestation, source: 'file', tokenFile: env.tokenFile };
  tree.endpoints = {
    sts: env.sts,
    iamCredentials: env.iamCredentials,
    secretManager: env.secretManager,
  };
  tree.files.dir = env.secretsDir;
  return tree;
}

/**
 * Moves the shipped status endpoint (a load balancer's health check on all interfaces) to a
 * loopback test port; throws when the example ships none (the test is then stale).
 */
export function retargetStatus(tree: ExampleTree, port: number): ExampleTree {
  if (tree.status === undefined) throw new Error('example has no status.listen');
  tree.status = { ...tree.status, listen: `127.0.0.1:${port}` };
  return tree;
}

/** Replaces `from` by `to` in every string inside `value` (ports in argv, ready, listen...). */
export function replaceInStrings<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return value.split(from).join(to) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => replaceInStrings(v, from, to)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceInStrings(v, from, to);
    return out as T;
  }
  return value;
}

/** The process named `name`; throws when the example has none (the test is then stale). */
export function processNamed(tree: ExampleTree, name: string): ProcessTree {
  const found = tree.processes.find((p) => p.name === name);
  if (!found) throw new Error(`example has no process named ${name}`);
  return found;
}

/** Writes a config tree as YAML and returns its path. */
export function writeConfig(dir: string, tree: ExampleTree, file = 'teeinit.yaml'): string {
  const path = join(dir, file);
  writeFileSync(path, stringify(tree), { mode: 0o600 });
  return path;
}

/** Copies a template file with textual replacements (stand-in ports and scratch paths). */
export function writeTemplate(
  source: string,
  dir: string,
  file: string,
  replacements: Readonly<Record<string, string>>,
): string {
  let text = readFileSync(source, 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
  const path = join(dir, file);
  writeFileSync(path, text, { mode: 0o644 });
  return path;
}
