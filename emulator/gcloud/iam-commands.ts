// The gcloud commands that create Workload Identity pools, OIDC providers and service
// accounts, sent to a running emulator's iam.googleapis.com surface (its iamCredentials
// port, admin token) as gcloud sends them to Google.
import { TeeinitError } from '../../src/errors/index.js';
import { parseArgs, requireFlag, requirePositional, usage } from '../seed/cli-args.js';
import type { CliIo } from '../seed/commands.js';
import { connect, type ApiAnswer } from '../seed/emulator-client.js';

type Command = (argv: readonly string[], io: CliIo) => Promise<void>;

/** Throws the API error as gcloud reports it (`ERROR: STATUS: message`). */
function check(answer: ApiAnswer): Record<string, unknown> {
  if (answer.status === 200) return answer.body;
  const error = (answer.body.error ?? {}) as { status?: string; message?: string };
  throw new TeeinitError(
    'TEEINIT_INTERNAL',
    `${error.status ?? answer.status}: ${error.message ?? 'request failed'}`,
    {
      hint: 'The emulator refused the request; see the message.',
      fields: { httpStatus: answer.status },
    },
  );
}

/**
 * gcloud's list and dict flags: `A,B` or `K=V,K=V`, with `^D^` at the start choosing
 * another delimiter D (for values that contain commas).
 */
export function splitGcloudList(text: string): string[] {
  const m = /^\^([^^]+)\^/.exec(text);
  return (m === null ? text : text.slice(m[0].length)).split(m === null ? ',' : m[1]!);
}

/** `K=V,K=V` (each split at its first `=`). */
export function parseGcloudDict(text: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of splitGcloudList(text)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`--${flag} expects KEY=VALUE pairs, got "${pair.slice(0, 60)}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const poolsPath = (project: string): string =>
  `/v1/projects/${encodeURIComponent(project)}/locations/global/workloadIdentityPools`;

function globalOnly(location: string): void {
  if (location !== 'global') throw usage(`--location must be global, got "${location}"`);
}

/** `iam workload-identity-pools create ID --project P --location global`. */
export const createPool: Command = async (argv, io) => {
  const args = parseArgs(argv, ['project', 'location', 'display-name', 'description']);
  const id = requirePositional(args, 0, 'pool ID');
  globalOnly(requireFlag(args, 'location'));
  const client = await connect(args, 'iamCredentials');
  const body = {
    ...(args.flags.has('display-name') ? { displayName: args.flags.get('display-name') } : {}),
    ...(args.flags.has('description') ? { description: args.flags.get('description') } : {}),
  };
  const path = `${poolsPath(requireFlag(args, 'project'))}?workloadIdentityPoolId=${encodeURIComponent(id)}`;
  check(await client.call('POST', path, body));
  io.err(`Created workload identity pool [${id}].`);
};

/** `iam workload-identity-pools providers create-oidc ID --workload-identity-pool POOL …`. */
export const createOidcProvider: Command = async (argv, io) => {
  const args = parseArgs(argv, [
    'project',
    'location',
    'workload-identity-pool',
    'issuer-uri',
    'allowed-audiences',
    'attribute-mapping',
    'attribute-condition',
    'display-name',
    'description',
  ]);
  const id = requirePositional(args, 0, 'provider ID');
  globalOnly(requireFlag(args, 'location'));
  const pool = requireFlag(args, 'workload-identity-pool');
  const audiences = args.flags.get('allowed-audiences');
  const condition = args.flags.get('attribute-condition');
  const body = {
    attributeMapping: parseGcloudDict(requireFlag(args, 'attribute-mapping'), 'attribute-mapping'),
    ...(condition === undefined ? {} : { attributeCondition: condition }),
    oidc: {
      issuerUri: requireFlag(args, 'issuer-uri'),
      ...(audiences === undefined ? {} : { allowedAudiences: splitGcloudList(audiences) }),
    },
    ...(args.flags.has('display-name') ? { displayName: args.flags.get('display-name') } : {}),
  };
  const path = `${poolsPath(requireFlag(args, 'project'))}/${encodeURIComponent(pool)}/providers?workloadIdentityPoolProviderId=${encodeURIComponent(id)}`;
  const client = await connect(args, 'iamCredentials');
  check(await client.call('POST', path, body));
  io.err(`Created workload identity pool provider [${id}].`);
};

/** `iam service-accounts create NAME --project P`. */
export const createServiceAccount: Command = async (argv, io) => {
  const args = parseArgs(argv, ['project', 'display-name', 'description']);
  const id = requirePositional(args, 0, 'service account NAME');
  const path = `/v1/projects/${encodeURIComponent(requireFlag(args, 'project'))}/serviceAccounts`;
  const client = await connect(args, 'iamCredentials');
  const answer = check(await client.call('POST', path, { accountId: id }));
  io.err(`Created service account [${id}].`);
  io.out(`${JSON.stringify(answer, null, 2)}\n`);
};

/** `services enable API… --project P`: every API is on in the emulator. */
export const enableServices: Command = async (argv, io) => {
  const args = parseArgs(argv, ['project']);
  requirePositional(args, 0, 'the API to enable');
  const project = requireFlag(args, 'project');
  await Promise.resolve();
  io.err(`The emulator serves every API; nothing to enable in ${project}.`);
};
