// `teeinit collaborators`: print each collaborator's gcloud commands (or one's), derived
// from the config alone, as shell or JSON. No network.
import {
  buildSetupPlan,
  checkOperatorProject,
  checkWorkloadServiceAccount,
  formatSetupJson,
  formatSetupScript,
  loadConfigForSetup,
  parseImageDigests,
} from '../../collaborators/index.js';
import type { CollaboratorsArgs } from '../parse-command-line.js';
import type { CliIo } from '../io.js';

/** Throws the input's or the config's TeeinitError; returns 0 after printing. */
export function collaboratorsCommand(
  configPath: string,
  args: CollaboratorsArgs,
  json: boolean,
  io: CliIo,
): number {
  // The command line first: a typo in a flag is reported before the config is read.
  const imageDigests = parseImageDigests(args.imageDigest);
  const workloadServiceAccount =
    args.workloadServiceAccount === undefined
      ? undefined
      : checkWorkloadServiceAccount(args.workloadServiceAccount);
  const operatorProject =
    args.operatorProject === undefined ? undefined : checkOperatorProject(args.operatorProject);
  const { config, unreadTemplates } = loadConfigForSetup(configPath);
  for (const name of unreadTemplates) {
    io.stderr.write(
      `teeinit: note: templates.${name}.source is not on this machine (it lives in the image); checked as empty here, \`teeinit validate\` in the image reads it\n`,
    );
  }
  const plan = buildSetupPlan(config, {
    imageDigests,
    ...(args.collaborator === undefined ? {} : { collaborator: args.collaborator }),
    ...(workloadServiceAccount === undefined ? {} : { workloadServiceAccount }),
    ...(operatorProject === undefined ? {} : { operatorProject }),
  });
  io.stdout.write(json ? formatSetupJson(plan) : formatSetupScript(plan));
  return 0;
}
