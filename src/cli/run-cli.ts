// The command dispatcher: parse the command line, run one command, turn any failure into
// one clear stderr line and an exit code. src/cli is the only place exit codes are decided.
// Each command's modules load only when that command runs: `version` and `--help` need no
// config schema, `validate` and `plan` none of the network stages.
import { versionCommand } from './commands/version.js';
import { HELP } from './help.js';
import { processIo, type CliIo } from './io.js';
import { parseCommandLine } from './parse-command-line.js';
import { reportError } from './report-error.js';

/** Runs teeinit with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const line = parseCommandLine(argv);
    if (line.help) {
      io.stdout.write(HELP[line.command ?? ''] ?? HELP['']!);
      return 0;
    }
    switch (line.command) {
      case 'run': {
        const { runCommand } = await import('./commands/run.js');
        return await runCommand({ configPath: line.configPath, argv, env: io.env, io });
      }
      case 'validate': {
        const { validateCommand } = await import('./commands/validate.js');
        return validateCommand(line.configPath, io);
      }
      case 'plan': {
        const { planCommand } = await import('./commands/plan.js');
        return planCommand(line.configPath, line.json, io);
      }
      case 'version':
        return versionCommand(io);
      case 'shares': {
        if ('split' in line) {
          const { sharesSplitCommand } = await import('./commands/shares-split.js');
          return await sharesSplitCommand(line.split, io);
        }
        const { sharesCombineCommand } = await import('./commands/shares-combine.js');
        return await sharesCombineCommand(line.combine, io);
      }
      case 'attest': {
        const { attestVerifyCommand } = await import('./commands/attest-verify.js');
        return await attestVerifyCommand(line.verify, line.json, io);
      }
      case 'collaborators': {
        const { collaboratorsCommand } = await import('./commands/collaborators.js');
        return collaboratorsCommand(line.configPath, line.setup, line.json, io);
      }
    }
  } catch (error) {
    return reportError(error, io.stderr).exitCode;
  }
}
