#!/usr/bin/env node
// `teeinit-emulator`: runs the local Confidential Space emulator (`serve`) and drives a
// running one (`secrets ...`, `seed FILE`, `gcloud ...`). The only place in emulator/ that
// exits.
import { parseArgs } from 'node:util';
import { TeeinitError, toTeeinitError } from '../src/errors/index.js';
import type { RunningEmulator, ServiceName } from './index.js';

const PORT_FLAGS: Readonly<Record<string, ServiceName>> = {
  'port-issuer': 'issuer',
  'port-sts': 'sts',
  'port-iam': 'iamCredentials',
  'port-secretmanager': 'secretManager',
  'port-metadata': 'metadata',
  'port-admin': 'admin',
};

const HELP = `Usage: teeinit-emulator COMMAND [flags]

Commands:
  serve                 run the emulator until SIGINT/SIGTERM (alias: start)
  secrets ...           gcloud-like secret commands against a running emulator
                        (teeinit-emulator secrets --help)
  iam service-accounts ...
                        who may impersonate a service account (add/remove binding)
  seed FILE             apply a seed document to a running emulator
  gcloud ARGS...        apply one gcloud command line (pools, providers, service
                        accounts, secrets, bindings) to a running emulator
                        (teeinit-emulator gcloud --help)
  default-config        print the default world as a JSON config file

serve flags:
  --config FILE         YAML or JSON emulator config (default: the default world)
  --state-dir DIR       token file, teeserver.sock, endpoints.json, admin-token
                        (default: ./.teeinit-emulator)
  --host HOST           listen address (default 127.0.0.1)
  --port-issuer N  --port-sts N  --port-iam N  --port-secretmanager N
  --port-metadata N  --port-admin N          (default 0: any free port)
  --seed N              fault-injection PRNG seed (default 1)
  --token-lifetime S    attestation token lifetime in seconds (default 3600)
  --access-token-lifetime S
                        STS / IAM credentials / metadata access token lifetime in
                        seconds, 1..43200 (default: config accessTokens, else 3600)
  --iam-propagation S   seconds before an IAM binding changed while the emulator
                        runs takes effect, 0..3600 (default: config iam, else 120;
                        0: at once). Bindings present at start are in effect.
  --teeserver-fail-first N
                        the launcher's first N token calls answer HTTP 500
                        (default: config teeserver.failFirst, else 0)
  -h, --help
`;

function toInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usage(`--${name} expects a non-negative integer, got "${value}"`);
  return Number(value);
}

const usage = (message: string): TeeinitError =>
  new TeeinitError('TEEINIT_USAGE', message, { hint: 'Run `teeinit-emulator --help`.' });

async function serve(argv: string[]): Promise<number> {
  const portOptions = Object.fromEntries(
    Object.keys(PORT_FLAGS).map((k) => [k, { type: 'string' as const }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        'state-dir': { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'token-lifetime': { type: 'string' },
        'access-token-lifetime': { type: 'string' },
        'iam-propagation': { type: 'string' },
        'teeserver-fail-first': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...portOptions,
      },
      strict: true,
    });
  } catch (error) {
    throw usage(error instanceof Error ? error.message : String(error));
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const str = (k: string): string | undefined =>
    typeof flags[k] === 'string' ? flags[k] : undefined;
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const [flag, service] of Object.entries(PORT_FLAGS)) {
    const port = toInt(flag, str(flag));
    if (port !== undefined) ports[service] = port;
  }
  const seed = toInt('seed', str('seed'));
  const lifetime = toInt('token-lifetime', str('token-lifetime'));
  const accessLifetime = toInt('access-token-lifetime', str('access-token-lifetime'));
  if (accessLifetime !== undefined && (accessLifetime < 1 || accessLifetime > 43_200)) {
    throw usage(`--access-token-lifetime expects 1..43200 seconds, got ${accessLifetime}`);
  }
  const propagation = toInt('iam-propagation', str('iam-propagation'));
  if (propagation !== undefined && propagation > 3600) {
    throw usage(`--iam-propagation expects 0..3600 seconds, got ${propagation}`);
  }
  const failFirst = toInt('teeserver-fail-first', str('teeserver-fail-first'));
  const configFile = str('config');
  // Loaded on demand so `--help` and `secrets` stay quick.
  const { startEmulator, SERVICE_NAMES } = await import('./index.js');
  const emulator = await startEmulator({
    stateDir: str('state-dir') ?? '.teeinit-emulator',
    ports,
    ...(str('host') === undefined ? {} : { host: str('host') ?? '' }),
    ...(configFile === undefined ? {} : { configFile }),
    ...(seed === undefined ? {} : { seed }),
    ...(lifetime === undefined ? {} : { tokenLifetimeSeconds: lifetime }),
    ...(accessLifetime === undefined ? {} : { accessTokenLifetimeSeconds: accessLifetime }),
    ...(propagation === undefined ? {} : { iamPropagationSeconds: propagation }),
    ...(failFirst === undefined ? {} : { teeserverFailFirst: failFirst }),
  });
  // Handlers first: whoever reads the banner may signal at once.
  const stopped = new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  process.stdout.write(banner(emulator, SERVICE_NAMES));
  await stopped;
  await emulator.stop();
  process.stdout.write('teeinit-emulator: stopped\n');
  return 0;
}

// What `serve` prints: one line per service, the files, and an env block to copy.
function banner(e: RunningEmulator, names: readonly ServiceName[]): string {
  const pad = (s: string): string => s.padEnd(16);
  const lines = [`teeinit-emulator: Confidential Space emulator running (state ${e.stateDir})`];
  for (const name of names) lines.push(`${pad(name)}${e.endpoints[name]}`);
  lines.push(`${pad('token file')}${e.tokenFile}`);
  lines.push(`${pad('teeserver')}${e.socketPath}`);
  for (const vm of Object.values(e.vms)) {
    lines.push(`${pad(`vm ${vm.name}`)}${vm.socketPath} (token file ${vm.tokenFile})`);
  }
  lines.push(`${pad('pki root')}${e.endpoints.issuer}/.well-known/confidential_space_root.crt`);
  lines.push(`${pad('admin token')}${e.stateDir}/admin-token`);
  lines.push(`${pad('IAM propagation')}${e.iam.propagationSeconds} s per binding change`);
  const metadataHost = e.endpoints.metadata.replace(/^http:\/\//, '');
  lines.push(
    '',
    '# environment for a workload or a shell (copy-paste):',
    `export TEEINIT_EMULATOR_STATE=${e.stateDir}`,
    `export GCE_METADATA_HOST=${metadataHost}`,
    `export GCE_METADATA_IP=${metadataHost}`,
    `export TEEINIT_EMULATOR_TOKEN_FILE=${e.tokenFile}`,
    `export TEEINIT_EMULATOR_TEESERVER=${e.socketPath}`,
    `export TEEINIT_EMULATOR_STS=${e.endpoints.sts}`,
    `export TEEINIT_EMULATOR_IAMCREDENTIALS=${e.endpoints.iamCredentials}`,
    `export TEEINIT_EMULATOR_SECRETMANAGER=${e.endpoints.secretManager}`,
    '',
    '# teeinit config keys for this emulator:',
    `#   attestation: { tokenFile: ${e.tokenFile}, socket: ${e.socketPath} }`,
    `#   endpoints: { sts: ${e.endpoints.sts}, iamCredentials: ${e.endpoints.iamCredentials}, secretManager: ${e.endpoints.secretManager} }`,
    '# stop with Ctrl-C (SIGINT) or SIGTERM',
    '',
  );
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 64 : 0;
  }
  if (command === 'serve' || command === 'start') return serve(rest);
  if (command === 'secrets' || command === 'seed' || command === 'iam') {
    const { runSecretsCli } = await import('./seed/cli.js');
    return runSecretsCli(argv);
  }
  if (command === 'gcloud') {
    const { runGcloudCli } = await import('./gcloud/run-gcloud.js');
    const { defaultIo } = await import('./seed/cli.js');
    return runGcloudCli(rest, defaultIo);
  }
  if (command === 'default-config') {
    const { defaultWorld } = await import('./default-world.js');
    process.stdout.write(JSON.stringify(defaultWorld(), null, 2) + '\n');
    return 0;
  }
  process.stderr.write(`teeinit-emulator: unknown command "${command}"\n${HELP}`);
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const e = toTeeinitError(error);
    process.stderr.write(`teeinit-emulator: ${e.message}\n`);
    if (e.code !== 'TEEINIT_INTERNAL') process.stderr.write(`hint: ${e.hint}\n`);
    process.exitCode = e.code === 'TEEINIT_INTERNAL' ? 70 : e.exitCode;
  },
);
