// The command dispatcher: parse the command line, run one command, turn any failure into
// one clear stderr line and an exit code. src/cli is the only place exit codes are decided.
import { planCommand } from './commands/plan.js';
import { validateCommand } from './commands/validate.js';
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
        // Loaded only for `run`: validate/plan/version need none of the network stages.
        const { runCommand } = await import('./commands/run.js');
        return await runCommand({ configPath: line.configPath, argv, env: io.env, io });
      }
      case 'validate':
        return validateCommand(line.configPath, io);
      case 'plan':
        return planCommand(line.configPath, line.json, io);
      case 'version':
        return versionCommand(io);
    }
  } catch (error) {
    return reportError(error, io.stderr).exitCode;
  }
}
