// Starts the local Confidential Space emulator: attestation issuer, STS, IAM credentials,
// Secret Manager, GCE metadata and admin API on loopback HTTP servers, the launcher's
// teeserver socket and the attestation token file, all under one state directory.
import { chmod, mkdir, rm, rmdir, writeFile, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { accessTokenPolicy } from './access-token-policy.js';
import { AccessTokenRegistry } from './access-tokens.js';
import { AttestationAuthority } from './attestation/authority.js';
import { presetSettings } from './attestation/claims.js';
import { createIssuerService } from './attestation/issuer-service.js';
import { createSigningKey } from './attestation/signing-key.js';
import { TOKEN_FILE_NAME, TokenFileWriter } from './attestation/token-file.js';
import {
  attestationControls,
  startVm,
  type AttestationControls,
  type EmulatedVm,
} from './attestation/vms.js';
import { createAdminService, mountAdmin } from './admin.js';
import {
  loadEmulatorConfig,
  parseEmulatorConfig,
  type EmulatorConfig,
  type EmulatorConfigInput,
} from './config.js';
import type { EmulatorContext, EmulatorService } from './context.js';
import { DEFAULT_POOL, DEFAULT_PROVIDER, defaultWorld } from './default-world.js';
import { FaultController } from './faults/controller.js';
import { createIamCredentialsService } from './iam/service.js';
import { createMetadataService } from './metadata/service.js';
import { credentialConfig, type CredentialConfigOptions } from './credential-config.js';
import { issueOwnerToken } from './secret-manager/auth.js';
import { createSecretManagerService } from './secret-manager/service.js';
import { applySeed } from './seed/apply.js';
import { serveHttp, type ServedHttp } from './serve-http.js';
import { EmulatorStore } from './store.js';
import { createStsService } from './sts/service.js';
import { providerResourceName } from './sts/provider-name.js';
import { LauncherFailures } from './teeserver/failures.js';
import { SOCKET_NAME, startTeeServer } from './teeserver/server.js';

export type ServiceName =
  'issuer' | 'sts' | 'iamCredentials' | 'secretManager' | 'metadata' | 'admin';
export const SERVICE_NAMES: readonly ServiceName[] = [
  'issuer',
  'sts',
  'iamCredentials',
  'secretManager',
  'metadata',
  'admin',
];

export interface StartEmulatorOptions {
  /** Created if missing; holds the token file, the socket, endpoints.json and admin-token. */
  readonly stateDir: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Port per service; default 0 (ephemeral). */
  readonly ports?: Partial<Record<ServiceName, number>>;
  /** A config document (validated here); default: the default world. */
  readonly config?: EmulatorConfigInput;
  /** A YAML/JSON config file; ignored when `config` is given. */
  readonly configFile?: string;
  /** Fault PRNG seed; overrides the config's `seed` (default 1). */
  readonly seed?: number;
  /** Attestation token lifetime; overrides the config (default 3600). */
  readonly tokenLifetimeSeconds?: number;
  /** Access token lifetime (STS, IAM credentials, metadata); overrides the config's
   * `accessTokens.lifetimeSeconds` (default 3600). */
  readonly accessTokenLifetimeSeconds?: number;
  /**
   * Seconds before a binding change made while the emulator runs (admin API, seed, REST
   * setIamPolicy) takes effect; overrides the config's `iam.propagationSeconds` (default
   * 120). 0: at once. Bindings present at start are always in effect.
   */
  readonly iamPropagationSeconds?: number;
  /** The launcher's first N token calls answer HTTP 500; overrides `teeserver.failFirst`. */
  readonly teeserverFailFirst?: number;
  /** Clock in ms (default Date.now). */
  readonly now?: () => number;
}

/** IAM propagation controls (the switch tests use). */
export interface IamControls {
  /** The delay applied to binding changes from now on. */
  readonly propagationSeconds: number;
  setPropagationSeconds(seconds: number): void;
}

export type { AttestationControls, EmulatedVm } from './attestation/vms.js';

export interface RunningEmulator {
  readonly endpoints: Readonly<Record<ServiceName, string>>;
  readonly stateDir: string;
  readonly tokenFile: string;
  readonly socketPath: string;
  readonly store: EmulatorStore;
  readonly tokens: AccessTokenRegistry;
  readonly faults: FaultController;
  readonly attestation: AttestationControls;
  readonly iam: IamControls;
  /** The launcher's failure model: `failNext(n)` makes the next n token calls answer 500. */
  readonly teeserver: LauncherFailures;
  /** The config's further VMs (`attestation.vms`), by name: own claims, socket, token file. */
  readonly vms: Readonly<Record<string, EmulatedVm>>;
  /** Bearer token for the admin API (also an owner access token for Secret Manager). */
  readonly adminToken: string;
  /** `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X`. */
  providerAudience(project: string, pool?: string, provider?: string): string;
  /** An `external_account` credential config pointing at this emulator. */
  credentialConfig(options: CredentialConfigOptions): Record<string, unknown>;
  stop(): Promise<void>;
}

async function resolveConfig(options: StartEmulatorOptions): Promise<EmulatorConfig> {
  if (options.config !== undefined) return parseEmulatorConfig(options.config);
  if (options.configFile !== undefined) return loadEmulatorConfig(options.configFile);
  return parseEmulatorConfig(defaultWorld());
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

// Starts every service; on failure, whatever started is stopped again.
export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const stateDir = resolve(options.stateDir);
  const config = await resolveConfig(options);
  // The one place the policy is computed: after the start option, before anything starts.
  const access = accessTokenPolicy(config.accessTokens, options.accessTokenLifetimeSeconds);
  await mkdir(stateDir, { recursive: true });
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const store = new EmulatorStore();
  store.iam.setDelaySeconds(options.iamPropagationSeconds ?? config.iamPropagationSeconds);
  const launcher = new LauncherFailures(options.teeserverFailFirst ?? config.teeserverFailFirst);
  for (const p of config.projects) store.addProject(p);
  store.providers.push(...config.providers);
  for (const sa of config.serviceAccounts) store.serviceAccounts.set(sa.email, sa);
  applySeed(store, config.secrets, now);
  const tokens = new AccessTokenRegistry(now);
  const faults = new FaultController(options.seed ?? config.seed ?? 1, tokens);
  for (const rule of config.faults) faults.add(rule);
  const ctx: EmulatorContext = { store, tokens, faults, now };
  const key = await createSigningKey();
  const lifetimeSeconds = options.tokenLifetimeSeconds ?? config.lifetimeSeconds ?? 3600;
  const authority = new AttestationAuthority({
    key,
    now,
    lifetimeSeconds,
    settings: { ...presetSettings(config.preset), ...config.claims },
  });
  const vms: Record<string, EmulatedVm> = {};
  const tokenFile = join(stateDir, TOKEN_FILE_NAME);
  const writer = new TokenFileWriter(tokenFile, authority);
  const adminToken = issueOwnerToken(tokens);
  const served: Partial<Record<ServiceName, ServedHttp>> = {};
  const closers: (() => Promise<void>)[] = [() => writer.stop()];
  const url = (name: ServiceName): string => served[name]?.url ?? '';
  const endpoints = (): Record<ServiceName, string> =>
    Object.fromEntries(SERVICE_NAMES.map((n) => [n, url(n)])) as Record<ServiceName, string>;
  const socketPath = join(stateDir, SOCKET_NAME);
  const files = {
    endpoints: join(stateDir, 'endpoints.json'),
    adminToken: join(stateDir, 'admin-token'),
  };
  const stop = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await Promise.all(
      [tokenFile, files.endpoints, files.adminToken].map((f) => rm(f, { force: true })),
    );
    for (const vm of Object.values(vms)) {
      await rm(dirname(vm.tokenFile), { recursive: true, force: true });
    }
    if (Object.keys(vms).length > 0) await rmdir(join(stateDir, 'vms')).catch(() => undefined);
  };
  try {
    await writer.refresh();
    const admin = createAdminService({
      adminToken,
      store,
      tokens,
      faults,
      now,
      attestation: { authority, tokenFile: writer },
      endpoints: () => describe(),
    });
    const services: Record<ServiceName, EmulatorService> = {
      issuer: createIssuerService(authority, () => url('issuer')),
      sts: createStsService(ctx, {
        jwks: () => authority.jwks(),
        accessTokenLifetimeSeconds: access.lifetimeSeconds,
        boundToSubjectToken: config.stsExpiresIn === 'subject',
      }),
      iamCredentials: createIamCredentialsService(ctx, access),
      secretManager: mountAdmin(createSecretManagerService(ctx), admin),
      metadata: createMetadataService(ctx, () => authority.settings, access.lifetimeSeconds),
      admin,
    };
    for (const name of SERVICE_NAMES) {
      const s = await serveHttp(services[name], host, options.ports?.[name] ?? 0);
      served[name] = s;
      closers.push(() => s.close());
    }
    const tee = await startTeeServer(socketPath, authority, faults, launcher);
    closers.push(() => tee.close());
    for (const [name, vm] of Object.entries(config.vms)) {
      const settings = { ...presetSettings(vm.preset), ...vm.claims };
      const started = await startVm({
        name,
        stateDir,
        key,
        now,
        lifetimeSeconds,
        settings,
        faults,
      });
      closers.push(...started.closers);
      vms[name] = started.vm;
    }
    await writeAtomic(files.adminToken, adminToken, 0o600);
    await writeAtomic(files.endpoints, JSON.stringify(describe(), null, 2) + '\n', 0o644);
  } catch (error) {
    await stop();
    throw error;
  }
  function describe(): Record<string, string> {
    const extra = Object.values(vms).flatMap((vm): [string, string][] => [
      [`vms.${vm.name}.tokenFile`, vm.tokenFile],
      [`vms.${vm.name}.socketPath`, vm.socketPath],
    ]);
    return {
      ...endpoints(),
      tokenFile,
      socketPath,
      adminTokenFile: files.adminToken,
      stateDir,
      ...Object.fromEntries(extra),
    };
  }
  const attestation = attestationControls(authority, writer);
  return {
    endpoints: endpoints(),
    stateDir,
    tokenFile,
    socketPath,
    store,
    tokens,
    faults,
    attestation,
    iam: {
      get propagationSeconds() {
        return store.iam.delaySeconds;
      },
      setPropagationSeconds: (seconds) => store.iam.setDelaySeconds(seconds),
    },
    teeserver: launcher,
    vms,
    adminToken,
    providerAudience(project, pool = DEFAULT_POOL, provider = DEFAULT_PROVIDER) {
      return providerResourceName(store.projectNumber(project) ?? project, pool, provider);
    },
    credentialConfig(o) {
      return credentialConfig(
        { sts: url('sts'), iamCredentials: url('iamCredentials'), tokenFile },
        o,
        (p) => store.projectNumber(p) ?? p,
      );
    },
    stop,
  };
}
