// `teeinit run -c FILE`: the whole pipeline (src/run); this file only wires the CLI to it.
import { runPipeline } from '../../run/index.js';
import type { CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { packageVersion } from './version.js';

/** Runs teeinit; resolves to the process exit code. */
export function runCommand(options: {
  configPath: string;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  io?: CliIo;
}): Promise<number> {
  const stderr = options.io?.stderr ?? process.stderr;
  return runPipeline({
    configPath: options.configPath,
    env: options.env,
    version: packageVersion(),
    report: (error, redactor) => reportError(error, stderr, redactor),
  });
}
