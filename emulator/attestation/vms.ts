// More than one emulated Confidential Space VM in one emulator run: each has its own claim
// settings, token file and teeserver socket under `<stateDir>/vms/<name>/`, and all share
// the issuer's signing key, so one JWKS and one PKI root verify every VM's tokens.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultInjector } from '../faults-contract.js';
import { SOCKET_NAME, startTeeServer } from '../teeserver/server.js';
import { AttestationAuthority, type MintOptions } from './authority.js';
import type { ClaimSettings, PresetName } from './claims.js';
import type { SigningKey } from './signing-key.js';
import { TOKEN_FILE_NAME, TokenFileWriter } from './token-file.js';

/** Controls over one VM's emulated attestation (the workload's identity). */
export interface AttestationControls {
  readonly kid: string;
  readonly settings: ClaimSettings;
  /** Changes claims; resolves once the token file holds a token with them. */
  setClaims(partial: Partial<ClaimSettings>): Promise<void>;
  /** Switches to a preset (`production`, `debug`, `tampered`, `not-confidential-space`). */
  usePreset(name: PresetName, overrides?: Partial<ClaimSettings>): Promise<void>;
  /** A token with chosen claims/times/header; `signWith: 'foreign'` gives a wrong signature. */
  mintToken(options?: MintOptions): Promise<string>;
  /** Rewrites the token file now. */
  refreshTokenFile(): Promise<void>;
  /** The last 1000 tokens this VM minted (token file, teeserver, mintToken): for leak scans. */
  mintedTokens(): readonly string[];
}

/** One extra VM as a test or the CLI sees it. */
export interface EmulatedVm {
  readonly name: string;
  readonly tokenFile: string;
  readonly socketPath: string;
  readonly attestation: AttestationControls;
}

// The controls over `authority`, flushing `writer` after every change.
export function attestationControls(
  authority: AttestationAuthority,
  writer: TokenFileWriter,
): AttestationControls {
  return {
    get kid() {
      return authority.kid;
    },
    get settings() {
      return authority.settings;
    },
    async setClaims(partial) {
      authority.setClaims(partial);
      await writer.flush();
    },
    async usePreset(name, overrides = {}) {
      authority.usePreset(name, overrides);
      await writer.flush();
    },
    async mintToken(mint = {}) {
      if (mint.signWith === 'foreign') await authority.prepareForeignKey();
      return authority.mint(mint);
    },
    refreshTokenFile: () => writer.refresh(),
    mintedTokens: () => authority.mintedTokens(),
  };
}

export interface StartVmOptions {
  readonly name: string;
  readonly stateDir: string;
  readonly key: SigningKey;
  readonly now: () => number;
  readonly lifetimeSeconds: number;
  readonly settings: ClaimSettings;
  readonly faults: FaultInjector;
}

/** A started VM and what stops it (closers run in reverse order by the emulator). */
export interface StartedVm {
  readonly vm: EmulatedVm;
  readonly closers: readonly (() => Promise<void>)[];
}

// Writes the VM's token file and starts its teeserver; on failure stops what started.
export async function startVm(o: StartVmOptions): Promise<StartedVm> {
  const dir = join(o.stateDir, 'vms', o.name);
  await mkdir(dir, { recursive: true });
  const authority = new AttestationAuthority({
    key: o.key,
    now: o.now,
    lifetimeSeconds: o.lifetimeSeconds,
    settings: o.settings,
  });
  const writer = new TokenFileWriter(join(dir, TOKEN_FILE_NAME), authority);
  const closers: (() => Promise<void>)[] = [() => writer.stop()];
  try {
    await writer.refresh();
    const tee = await startTeeServer(join(dir, SOCKET_NAME), authority, o.faults);
    closers.push(() => tee.close());
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
  const vm: EmulatedVm = {
    name: o.name,
    tokenFile: writer.path,
    socketPath: join(dir, SOCKET_NAME),
    attestation: attestationControls(authority, writer),
  };
  return { vm, closers };
}
