// The Node.js flag teeinit's `run` needs where Node has it: `--disable-sigusr1` (Node
// 22.14, 23.7 and later) removes SIGUSR1's inspector start altogether, including the few
// milliseconds before teeinit's own SIGUSR1 listener is installed. Launchers (the images'
// ENTRYPOINT, the demo, the tests) ask nodeFlagsForRun() for the flags to pass.

const DISABLE_SIGUSR1 = '--disable-sigusr1';

/** Whether this Node knows `--disable-sigusr1` (it lists the flags NODE_OPTIONS may hold). */
export function canDisableSigusr1(): boolean {
  return process.allowedNodeEnvironmentFlags.has(DISABLE_SIGUSR1);
}

/**
 * Whether `--disable-sigusr1` is in effect: the last of `--disable-sigusr1` and
 * `--no-disable-sigusr1` wins, NODE_OPTIONS first, then the command line's node flags.
 */
export function sigusr1Disabled(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): boolean {
  let disabled = false;
  for (const flag of [...(nodeOptions ?? '').split(/\s+/), ...execArgv]) {
    if (flag === DISABLE_SIGUSR1 || flag === `${DISABLE_SIGUSR1}=true`) disabled = true;
    if (flag === `--no-${DISABLE_SIGUSR1.slice(2)}` || flag === `${DISABLE_SIGUSR1}=false`)
      disabled = false;
  }
  return disabled;
}

/** Node flags to start `teeinit run` with on this Node: `--disable-sigusr1` where it exists. */
export function nodeFlagsForRun(): string[] {
  return canDisableSigusr1() ? [DISABLE_SIGUSR1] : [];
}
