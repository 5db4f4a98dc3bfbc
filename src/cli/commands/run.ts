// `teeinit run`: placeholder until the run pipeline lands (owned by the lead).

/** Runs teeinit; resolves to the process exit code. */
export function runCommand(_options: {
  configPath: string;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
}): Promise<number> {
  return Promise.resolve(0);
}
