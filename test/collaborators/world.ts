// What the collaborator-setup tests share: `teeinit collaborators` run as a collaborator
// would, payload files made fresh for what each secret holds (certificates from
// emulator/pki.ts, random shares), the printed script run by bash against a fresh emulator
// through a `gcloud` that is `teeinit-emulator gcloud`, and a config retargeted at it.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createCa, issueCert, type IssuedCa, type Pem } from '../../emulator/pki.js';
import type { Config } from '../../src/config/index.js';
import { runCommand, type CommandResult } from '../helpers/command.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TEEINIT = join(ROOT, 'dist/src/cli/main.js');
export const EMULATOR_CLI = join(ROOT, 'dist/emulator/cli.js');

/** The projects of the examples, as the collaborators' organisations hold them. */
export const PROJECTS = [
  { id: 'alice-proj', number: '111111111111' },
  { id: 'bob-proj', number: '222222222222' },
  { id: 'operator-proj', number: '333333333333' },
] as const;
/** The emulated VM's service account (emulator/attestation/claims.ts). */
export const WORKLOAD_SA = 'workload@operator-proj.iam.gserviceaccount.com';

/** A digest that names no real image. */
export function randomDigest(): string {
  return `sha256:${randomBytes(32).toString('hex')}`;
}

/**
 * A fresh emulator: the projects exist, nothing else (no pool, provider, service account or
 * secret); its VM runs the image `digest` (a production or debug Confidential Space image);
 * IAM changes apply at once (no propagation wait).
 */
export function freshEmulator(
  stateDir: string,
  digest: string,
  preset: 'production' | 'debug' = 'production',
): Promise<RunningEmulator> {
  return startEmulator({
    stateDir,
    iamPropagationSeconds: 0,
    config: {
      attestation: { preset, claims: { imageDigest: digest } },
      projects: PROJECTS.map((p) => ({ ...p })),
      faults: [],
    },
  });
}

/** `node dist/src/cli/main.js collaborators ...args`. */
export function teeinitCollaborators(args: readonly string[]): Promise<CommandResult> {
  return runCommand([process.execPath, TEEINIT, 'collaborators', ...args], { timeoutMs: 30_000 });
}

/** One version as `teeinit collaborators --json` lists it. */
export interface JsonVersion {
  readonly secretNames: string[];
  readonly payloadFile: string;
}

/** One collaborator as `--json` lists it. */
export interface JsonCollaborator {
  readonly name: string;
  readonly script: string;
  readonly commands: string[][];
  readonly secrets: { secretId: string; project: string; versions: JsonVersion[] }[];
  readonly serviceAccount?: string;
  readonly provider: { resource: string; projectNumber: string };
}

/** Payloads made fresh for a config: what each of its secrets must hold. */
export class Payloads {
  readonly values = new Map<string, string>();
  #ca: IssuedCa | undefined;
  readonly #certs = new Map<string, Pem>();

  constructor(private readonly config: Config) {}

  /** The payload of config secret `name` (made once). */
  async of(name: string): Promise<string> {
    const known = this.values.get(name);
    if (known !== undefined) return known;
    const value = await this.#make(name);
    this.values.set(name, value);
    return value;
  }

  async #make(name: string): Promise<string> {
    for (const [bundle, t] of Object.entries(this.config.tls)) {
      if (t.ca === name) return (await this.#caOf()).cert;
      if (t.cert === name) return (await this.#certOf(bundle)).cert;
      if (t.key === name) return (await this.#certOf(bundle)).key;
    }
    return randomBytes(32).toString('hex');
  }

  async #caOf(): Promise<IssuedCa> {
    this.#ca ??= await createCa(`collaborators test CA ${randomBytes(4).toString('hex')}`);
    return this.#ca;
  }

  async #certOf(bundle: string): Promise<Pem> {
    const known = this.#certs.get(bundle);
    if (known !== undefined) return known;
    const usage = this.config.tls[bundle]!.usage;
    const cert = await issueCert(await this.#caOf(), {
      commonName: 'localhost',
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
      usage: usage === 'client' ? 'client' : 'server',
    });
    this.#certs.set(bundle, cert);
    return cert;
  }

  /** Writes the payload file of every version `c` adds into `dir` (mode 0600). */
  async write(dir: string, c: JsonCollaborator): Promise<void> {
    for (const s of c.secrets) {
      for (const v of s.versions) {
        const value = await this.of(v.secretNames[0]!);
        writeFileSync(join(dir, v.payloadFile), value, { mode: 0o600 });
      }
    }
  }
}

/** A directory with a `gcloud` that is `teeinit-emulator gcloud`. */
export function gcloudShim(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'gcloud');
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${EMULATOR_CLI}" gcloud "$@"\n`);
  chmodSync(path, 0o755);
  return dir;
}

/** Runs a printed script with bash (`-e`: the first refused command fails it) in `cwd`. */
export async function applyScript(
  script: string,
  options: { cwd: string; shimDir: string; stateDir: string },
): Promise<CommandResult> {
  const file = join(options.cwd, 'setup.sh');
  writeFileSync(file, script, { mode: 0o600 });
  return runCommand(['bash', '-e', file], {
    cwd: options.cwd,
    timeoutMs: 120_000,
    env: {
      PATH: `${options.shimDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      TEEINIT_EMULATOR_STATE: options.stateDir,
    },
  });
}
