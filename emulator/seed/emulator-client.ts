// How the secrets CLI reaches a running emulator: endpoint and admin token from
// `--emulator-state DIR` (endpoints.json, admin-token) or `--endpoint`/`--admin-token`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TeeinitError } from '../../src/errors/index.js';
import type { ParsedArgs } from './cli-args.js';
import { usage } from './cli-args.js';

/** A JSON answer from the emulator, or a Google error body with its HTTP status. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Minimal REST client for the emulator's Secret Manager and admin endpoints. */
export class EmulatorClient {
  constructor(
    readonly endpoint: string,
    private readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.endpoint), {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (cause) {
      throw new TeeinitError('TEEINIT_NETWORK', `Cannot reach the emulator at ${this.endpoint}`, {
        cause,
        hint: 'Start it with `teeinit-emulator start` or check --endpoint / --emulator-state.',
      });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { error: { code: response.status, message: text.slice(0, 200) } };
    }
    return { status: response.status, body: (parsed ?? {}) as Record<string, unknown> };
  }
}

/** The service a command talks to, as endpoints.json names it. */
export type EmulatorServiceKey = 'secretManager' | 'iamCredentials';

/** Builds the client from the location flags (`--endpoint` is then `service`'s URL). */
export async function connect(
  args: ParsedArgs,
  service: EmulatorServiceKey = 'secretManager',
): Promise<EmulatorClient> {
  const endpoint = args.flags.get('endpoint');
  const token = args.flags.get('admin-token');
  const stateDir = args.flags.get('emulator-state') ?? process.env.TEEINIT_EMULATOR_STATE;
  if (endpoint !== undefined && token !== undefined) return new EmulatorClient(endpoint, token);
  if (stateDir === undefined) {
    throw usage(
      'Say where the emulator is: --emulator-state DIR, or --endpoint URL --admin-token T',
    );
  }
  const state = await readState(stateDir, service);
  return new EmulatorClient(endpoint ?? state.endpoint, token ?? state.token);
}

async function readState(
  dir: string,
  service: EmulatorServiceKey,
): Promise<{ endpoint: string; token: string }> {
  let endpoints: unknown;
  let token: string;
  try {
    endpoints = JSON.parse(await readFile(join(dir, 'endpoints.json'), 'utf8'));
    token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
  } catch (cause) {
    throw new TeeinitError('TEEINIT_CONFIG_NOT_FOUND', `Cannot read the emulator state in ${dir}`, {
      cause,
      hint: 'Pass the --state-dir the emulator was started with (it writes endpoints.json and admin-token).',
    });
  }
  const endpoint = pickEndpoint(endpoints, service);
  if (endpoint === undefined) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `No ${service} endpoint in ${dir}/endpoints.json`,
    );
  }
  return { endpoint, token };
}

/** A service's base URL in endpoints.json (as startEmulator writes it). */
function pickEndpoint(endpoints: unknown, service: EmulatorServiceKey): string | undefined {
  if (typeof endpoints !== 'object' || endpoints === null) return undefined;
  const value = (endpoints as Record<string, unknown>)[service];
  return typeof value === 'string' && /^https?:\/\//.test(value) ? value : undefined;
}
