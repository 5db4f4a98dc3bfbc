// Reads an attestation policy from a YAML or JSON file (for `teeinit attest verify`) or from
// an already parsed tree (a proxy's `attest.require`): the strict schema, then relative paths
// resolved against the file's directory. Errors name the file and the key.
import { dirname, resolve } from 'node:path';
import { formatIssues, formatPath } from '../config/format-issues.js';
import { MAX_CONFIG_BYTES, parseConfigText, readConfigText } from '../config/parse-file.js';
import { attestPolicySchema } from '../config/schema/attest.js';
import type { AttestPolicy } from '../config/types.js';
import { deepFreeze } from '../config/deep-freeze.js';
import { TeeinitError } from '../errors/index.js';

/** Validates a parsed policy; `baseDir` resolves `oidc.jwksFile` and `pki.rootFile`. */
export function parsePolicy(
  tree: unknown,
  baseDir: string,
  what = 'attestation policy',
): AttestPolicy {
  const result = attestPolicySchema.safeParse(tree, { reportInput: true });
  if (!result.success) {
    const first = result.error.issues[0];
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `${what}: ${formatIssues(result.error.issues)}`,
      {
        hint: 'Change the named key; docs/attested-channel.md#policy lists every key.',
        fields: { path: first ? formatPath(first.path) : '' },
      },
    );
  }
  const p = result.data;
  const oidc = {
    ...(p.oidc.discoveryUrl === undefined ? {} : { discoveryUrl: p.oidc.discoveryUrl }),
    ...(p.oidc.jwksFile === undefined ? {} : { jwksFile: resolve(baseDir, p.oidc.jwksFile) }),
  };
  const pki = p.pki.rootFile === undefined ? {} : { rootFile: resolve(baseDir, p.pki.rootFile) };
  return deepFreeze({ ...p, oidc, pki });
}

// Reads and validates a policy file.
export function loadPolicyFile(path: string): AttestPolicy {
  let text: string;
  try {
    text = readConfigText(path);
  } catch (error) {
    if (!(error instanceof TeeinitError)) throw error;
    // readConfigText throws TEEINIT_CONFIG_PARSE only for a file over the size bound.
    const why =
      error.code === 'TEEINIT_CONFIG_PARSE' ? `: larger than ${MAX_CONFIG_BYTES} bytes` : '';
    throw new TeeinitError('TEEINIT_ATTEST_INPUT', `Cannot read policy file ${path}${why}.`, {
      cause: error,
      fields: { path },
    });
  }
  return parsePolicy(parseConfigText(text, path), dirname(resolve(path)), `policy ${path}`);
}
