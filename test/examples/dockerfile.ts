// What an example image holds, read from its Dockerfile: the final stage's base image, the
// files COPY puts there, the EXPOSEd ports, labels, PATH and ENTRYPOINT. The base images'
// own programs come from a table of what their official images install, since no image is
// pulled here.
import { readFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { BUNDLE_FILE, NOTICES_FILE } from '../../scripts/bundle.js';
import { REPO } from './harness.js';

/** One COPY of the final stage: source (in the build context or a stage) and destination. */
export interface CopyStep {
  readonly from: string | undefined;
  readonly src: string;
  readonly dest: string;
}

export interface ImageFiles {
  readonly dockerfile: string;
  /** The final FROM, without tag or digest (e.g. `redis`, `gcr.io/distroless/nodejs20-debian12`). */
  readonly base: string;
  readonly copies: readonly CopyStep[];
  readonly exposed: ReadonlySet<number>;
  readonly labels: ReadonlyMap<string, string>;
  readonly path: readonly string[];
  readonly entrypoint: readonly string[];
}

// Programs on PATH in the official base images the examples use (their Dockerfiles:
// docker-library/redis, docker-library/postgres with /usr/lib/postgresql/N/bin on PATH,
// envoyproxy/envoy, docker-library node, GoogleContainerTools/distroless nodejs).
const BASE_PROGRAMS: readonly [RegExp, readonly string[]][] = [
  [/^redis$/, ['redis-server', 'redis-cli']],
  [/^postgres$/, ['postgres', 'pg_isready', 'initdb', 'gosu']],
  [/^envoyproxy\/envoy$/, ['envoy']],
  [/^node$/, ['node', 'npm']],
  [/^gcr\.io\/distroless\/nodejs\d+-debian\d+$/, ['node']],
];

const DEFAULT_PATH = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];

// Files a directory copied from another stage holds: the bundle is the only one.
const STAGE_DIRECTORIES: Readonly<Record<string, readonly string[]>> = {
  '/src/dist/bundle': [BUNDLE_FILE, NOTICES_FILE],
};

/** Logical lines (continuations joined, comments dropped) of the final stage. */
function finalStage(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (raw.trimStart().startsWith('#')) continue;
    current += raw.trimEnd().endsWith('\\') ? `${raw.trimEnd().slice(0, -1)} ` : raw;
    if (!raw.trimEnd().endsWith('\\')) {
      if (current.trim() !== '') lines.push(current.trim());
      current = '';
    }
  }
  const last = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  return lines.slice(last);
}

/** Reads a Dockerfile (repository-relative, e.g. `examples/psk/Dockerfile.client`). */
export function readImage(dockerfile: string): ImageFiles {
  const stage = finalStage(readFileSync(join(REPO, dockerfile), 'utf8'));
  const image = stage[0]!.split(/\s+/)[1]!;
  const base = image.split('@')[0]!.replace(/:[^/]*$/, '');
  const copies: CopyStep[] = [];
  const exposed = new Set<number>();
  const labels = new Map<string, string>();
  let path = DEFAULT_PATH;
  let entrypoint: string[] = [];
  for (const line of stage.slice(1)) {
    const [instruction, ...args] = line.split(/\s+/);
    switch (instruction!.toUpperCase()) {
      case 'COPY': {
        const from = args[0]?.startsWith('--from=') ? args.shift()!.slice(7) : undefined;
        copies.push({ from, src: args[0]!, dest: args[1]! });
        break;
      }
      case 'EXPOSE':
        for (const a of args) exposed.add(Number(a.split('/')[0]));
        break;
      case 'LABEL':
        for (const a of args) {
          const eq = a.indexOf('=');
          if (eq > 0) labels.set(a.slice(0, eq), a.slice(eq + 1));
        }
        break;
      case 'ENV': {
        const m = /(?:^|\s)PATH=(\S+)/.exec(line);
        if (m) path = m[1]!.split(':');
        break;
      }
      case 'ENTRYPOINT':
        entrypoint = JSON.parse(line.slice('ENTRYPOINT'.length).trim()) as string[];
        break;
    }
  }
  return { dockerfile, base, copies, exposed, labels, path, entrypoint };
}

/** Every absolute path a COPY of the final stage creates (files inside copied directories too). */
export function copiedFiles(image: ImageFiles): Set<string> {
  const files = new Set<string>();
  for (const c of image.copies) {
    const inside = c.from === undefined ? undefined : STAGE_DIRECTORIES[c.src];
    if (inside) for (const f of inside) files.add(posix.join(c.dest, f));
    else files.add(c.dest.endsWith('/') ? posix.join(c.dest, basename(c.src)) : c.dest);
  }
  return files;
}

/**
 * Why a program the image runs exists there: `copied` (a COPY put it at that path, or on
 * PATH), `base` (the base image installs it), or undefined when nothing provides it.
 */
export function provides(image: ImageFiles, program: string): 'copied' | 'base' | undefined {
  const files = copiedFiles(image);
  if (program.startsWith('/')) return files.has(program) ? 'copied' : undefined;
  if (image.path.some((dir) => files.has(posix.join(dir, program)))) return 'copied';
  const known = BASE_PROGRAMS.find(([re]) => re.test(image.base));
  return known?.[1].includes(program) ? 'base' : undefined;
}

/** The config file the image bakes at /etc/teeinit/config.yaml (repository-relative). */
export function bakedConfig(image: ImageFiles): string | undefined {
  return image.copies.find((c) => c.from === undefined && c.dest === '/etc/teeinit/config.yaml')
    ?.src;
}
