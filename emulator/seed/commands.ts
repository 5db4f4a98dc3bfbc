// The gcloud-like subcommands of `teeinit-emulator secrets`, over the emulator's REST API.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TeeinitError } from '../../src/errors/index.js';
import { crc32c } from '../../src/secrets/crc32c.js';
import { parseSeedDocument, type SeedDocument } from './apply.js';
import { parseArgs, requireFlag, requirePositional, usage, type ParsedArgs } from './cli-args.js';
import { connect, type ApiAnswer, type EmulatorClient } from './emulator-client.js';

/** Where a command writes: data to `out`, gcloud-style status lines to `err`. */
export interface CliIo {
  readonly out: (chunk: string | Uint8Array) => void;
  readonly err: (line: string) => void;
  readonly stdin: () => Promise<Buffer>;
}

type Command = (argv: readonly string[], io: CliIo) => Promise<void>;

const SECRET_FLAGS = ['project', 'location'];

function secretPath(args: ParsedArgs, name: string): string {
  const project = requireFlag(args, 'project');
  const location = args.flags.get('location');
  const parent =
    location === undefined ? `projects/${project}` : `projects/${project}/locations/${location}`;
  return `/v1/${parent}/secrets/${encodeURIComponent(name)}`;
}

/** Throws the API error as a TeeinitError (`ERROR: STATUS: message`). */
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

async function readData(file: string, io: CliIo): Promise<Buffer> {
  if (file === '-') return io.stdin();
  try {
    return await readFile(file);
  } catch (cause) {
    throw new TeeinitError('TEEINIT_CONFIG_NOT_FOUND', `Cannot read --data-file ${file}`, {
      cause,
    });
  }
}

async function addVersion(client: EmulatorClient, path: string, data: Buffer): Promise<string> {
  const body = { payload: { data: data.toString('base64'), dataCrc32c: String(crc32c(data)) } };
  const version = check(await client.call('POST', `${path}:addVersion`, body));
  return String(version.name).split('/').pop() ?? '?';
}

const create: Command = async (argv, io) => {
  const args = parseArgs(argv, [...SECRET_FLAGS, 'data-file', 'replication-policy']);
  const name = requirePositional(args, 0, 'secret NAME');
  const path = secretPath(args, name);
  const client = await connect(args);
  const body = args.flags.has('location') ? {} : { replication: { automatic: {} } };
  const collection = path.slice(0, path.lastIndexOf('/'));
  check(await client.call('POST', `${collection}?secretId=${encodeURIComponent(name)}`, body));
  io.err(`Created secret [${name}].`);
  const file = args.flags.get('data-file');
  if (file !== undefined) {
    const version = await addVersion(client, path, await readData(file, io));
    io.err(`Created version [${version}] of the secret [${name}].`);
  }
};

const versionsAdd: Command = async (argv, io) => {
  const args = parseArgs(argv, [...SECRET_FLAGS, 'data-file']);
  const name = requirePositional(args, 0, 'secret NAME');
  const data = await readData(requireFlag(args, 'data-file'), io);
  const version = await addVersion(await connect(args), secretPath(args, name), data);
  io.err(`Created version [${version}] of the secret [${name}].`);
};

const versionsAccess: Command = async (argv, io) => {
  const args = parseArgs(argv, [...SECRET_FLAGS, 'secret']);
  const version = requirePositional(args, 0, 'VERSION (a number, latest or an alias)');
  const path = `${secretPath(args, requireFlag(args, 'secret'))}/versions/${encodeURIComponent(version)}`;
  const answer = check(await (await connect(args)).call('GET', `${path}:access`));
  const payload = (answer.payload ?? {}) as { data?: string; dataCrc32c?: string };
  const data = Buffer.from(payload.data ?? '', 'base64');
  if (payload.dataCrc32c !== undefined && payload.dataCrc32c !== String(crc32c(data))) {
    throw new TeeinitError(
      'TEEINIT_SECRET_CHECKSUM',
      `Checksum mismatch for ${String(answer.name)}`,
    );
  }
  io.out(data);
};

const versionsState =
  (verb: 'disable' | 'enable' | 'destroy'): Command =>
  async (argv, io) => {
    const args = parseArgs(argv, [...SECRET_FLAGS, 'secret']);
    const version = requirePositional(args, 0, 'VERSION');
    const secret = requireFlag(args, 'secret');
    const path = `${secretPath(args, secret)}/versions/${encodeURIComponent(version)}:${verb}`;
    check(await (await connect(args)).call('POST', path));
    io.err(
      `${verb[0]?.toUpperCase()}${verb.slice(1)}d version [${version}] of the secret [${secret}].`,
    );
  };

const versionsList: Command = async (argv, io) => {
  const args = parseArgs(argv, SECRET_FLAGS);
  const path = `${secretPath(args, requirePositional(args, 0, 'secret NAME'))}/versions`;
  const answer = check(await (await connect(args)).call('GET', path));
  const versions = (answer.versions ?? []) as { name: string; state: string; createTime: string }[];
  io.out(
    table(
      ['NAME', 'STATE', 'CREATED'],
      versions.map((v) => [v.name.split('/').pop() ?? '', v.state, v.createTime]),
    ),
  );
};

const list: Command = async (argv, io) => {
  const args = parseArgs(argv, SECRET_FLAGS);
  const path = secretPath(args, 'x').replace(/\/x$/, '');
  const answer = check(await (await connect(args)).call('GET', path));
  const secrets = (answer.secrets ?? []) as { name: string; createTime: string }[];
  io.out(
    table(
      ['NAME', 'CREATED'],
      secrets.map((s) => [s.name.split('/').pop() ?? '', s.createTime]),
    ),
  );
};

const describe: Command = async (argv, io) => {
  const args = parseArgs(argv, SECRET_FLAGS);
  const path = secretPath(args, requirePositional(args, 0, 'secret NAME'));
  io.out(`${JSON.stringify(check(await (await connect(args)).call('GET', path)), null, 2)}\n`);
};

/** `update NAME --update-version-aliases=ALIAS=N[,…]`: merged into the secret's aliases. */
const update: Command = async (argv, io) => {
  const args = parseArgs(argv, [...SECRET_FLAGS, 'update-version-aliases']);
  const name = requirePositional(args, 0, 'secret NAME');
  const added = parseAliases(requireFlag(args, 'update-version-aliases'));
  const path = secretPath(args, name);
  const client = await connect(args);
  const secret = check(await client.call('GET', path));
  const versionAliases = {
    ...(secret.versionAliases as Record<string, string> | undefined),
    ...added,
  };
  check(await client.call('PATCH', `${path}?updateMask=versionAliases`, { versionAliases }));
  io.err(`Updated secret [${name}].`);
};

/** gcloud's `KEY=VALUE,KEY=VALUE` list of aliases and version numbers. */
function parseAliases(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || !/^\d+$/.test(pair.slice(eq + 1))) {
      throw usage(`--update-version-aliases expects ALIAS=VERSION pairs, got "${pair}"`);
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

type Binding = { role: string; members: string[] };

/** Read-modify-write of a policy (getIamPolicy, then setIamPolicy with its etag). */
async function changeBinding(
  client: EmulatorClient,
  path: string,
  change: { member: string; role: string; add: boolean },
): Promise<Record<string, unknown>> {
  const { member, role, add } = change;
  const policy = check(await client.call('GET', `${path}:getIamPolicy`));
  const current = (policy.bindings ?? []) as Binding[];
  const bindings = add
    ? current.map((b) =>
        b.role === role && !b.members.includes(member)
          ? { role, members: [...b.members, member] }
          : b,
      )
    : current
        .map((b) =>
          b.role === role ? { role, members: b.members.filter((m) => m !== member) } : b,
        )
        .filter((b) => b.members.length > 0);
  if (add && !bindings.some((b) => b.role === role)) bindings.push({ role, members: [member] });
  if (!add && !current.some((b) => b.role === role && b.members.includes(member))) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_REFERENCE',
      `Policy binding with the specified principal and role not found: ${member} ${role}`,
    );
  }
  return check(
    await client.call('POST', `${path}:setIamPolicy`, { policy: { bindings, etag: policy.etag } }),
  );
}

const secretBinding =
  (add: boolean): Command =>
  async (argv, io) => {
    const args = parseArgs(argv, [...SECRET_FLAGS, 'member', 'role']);
    const name = requirePositional(args, 0, 'secret NAME');
    const change = { member: requireFlag(args, 'member'), role: requireFlag(args, 'role'), add };
    const updated = await changeBinding(await connect(args), secretPath(args, name), change);
    io.err(`Updated IAM policy for secret [${name}].`);
    io.out(`${JSON.stringify(updated, null, 2)}\n`);
  };

/** `iam service-accounts add-iam-policy-binding|remove-iam-policy-binding EMAIL`. */
const serviceAccountBinding =
  (add: boolean): Command =>
  async (argv, io) => {
    // --project is accepted as gcloud does; the email names the account.
    const args = parseArgs(argv, ['member', 'role', 'project']);
    const email = requirePositional(args, 0, 'service account EMAIL');
    const change = { member: requireFlag(args, 'member'), role: requireFlag(args, 'role'), add };
    const path = `/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}`;
    const updated = await changeBinding(await connect(args, 'iamCredentials'), path, change);
    io.err(`Updated IAM policy for serviceAccount [${email}].`);
    io.out(`${JSON.stringify(updated, null, 2)}\n`);
  };

const serviceAccountPolicy: Command = async (argv, io) => {
  const args = parseArgs(argv, []);
  const email = requirePositional(args, 0, 'service account EMAIL');
  const path = `/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:getIamPolicy`;
  const policy = check(await (await connect(args, 'iamCredentials')).call('POST', path, {}));
  io.out(`${JSON.stringify(policy, null, 2)}\n`);
};

/** `seed FILE`: YAML or JSON, dataFile paths relative to FILE, sent inline to /admin/seed. */
export const seed: Command = async (argv, io) => {
  const args = parseArgs(argv, []);
  const file = requirePositional(args, 0, 'seed FILE');
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new TeeinitError('TEEINIT_CONFIG_PARSE', `Cannot read or parse seed file ${file}`, {
      cause,
    });
  }
  const doc = parseSeedDocument(raw, { baseDir: dirname(file) });
  const answer = check(await (await connect(args)).call('POST', '/admin/seed', seedToWire(doc)));
  const accounts = Number(answer.serviceAccounts ?? 0);
  const more = accounts > 0 ? `, ${accounts} service account(s)` : '';
  io.err(
    `Seeded ${String(answer.projects)} project(s) and ${String(answer.secrets)} secret(s)${more}.`,
  );
  const delay = Number(answer.iamPropagationSeconds ?? 0);
  if (delay > 0 && (doc.secrets.some((x) => x.bindings.length > 0) || accounts > 0)) {
    io.err(`New IAM bindings take effect in ${delay} s (IAM propagation).`);
  }
};

/** A validated seed document as JSON with every payload inline (`dataBase64`). */
export function seedToWire(doc: SeedDocument): unknown {
  return {
    projects: doc.projects,
    serviceAccounts: doc.serviceAccounts ?? [],
    secrets: doc.secrets.map((s) => ({
      ...s,
      versions: s.versions.map((v) => ({ dataBase64: v.data.toString('base64'), state: v.state })),
    })),
  };
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** Subcommand table, keyed by the words after `secrets`. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  create,
  list,
  describe,
  update,
  'add-iam-policy-binding': secretBinding(true),
  'remove-iam-policy-binding': secretBinding(false),
  'versions add': versionsAdd,
  'versions access': versionsAccess,
  'versions list': versionsList,
  'versions disable': versionsState('disable'),
  'versions enable': versionsState('enable'),
  'versions destroy': versionsState('destroy'),
};

/** `teeinit-emulator iam service-accounts …`, keyed by the words after `iam service-accounts`. */
export const IAM_COMMANDS: Readonly<Record<string, Command>> = {
  'add-iam-policy-binding': serviceAccountBinding(true),
  'remove-iam-policy-binding': serviceAccountBinding(false),
  'get-iam-policy': serviceAccountPolicy,
};
