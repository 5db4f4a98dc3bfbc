// `teeinit attest verify`: checks one attestation token against a policy with the same code
// the attested proxies use, for a relying party that is not teeinit. Prints the relevant
// claims when the token passes, the reason when it does not; never the token itself.
import type { X509Certificate } from 'node:crypto';
import { createPeerVerifier } from '../../attest/peer-verifier.js';
import { loadPolicyFile } from '../../attest/load-policy.js';
import { readFileBoundedSync } from '../../config/read-bounded.js';
import { readJwksFile } from '../../attest/oidc-keys.js';
import { readRootFile } from '../../attest/pki-chain.js';
import { AttestRefusal, type ClaimSummary } from '../../attest/reasons.js';
import type { TokenVerifierOptions } from '../../attest/verify-token.js';
import { TeeinitError } from '../../errors/index.js';
import type { CliIo } from '../io.js';
import type { AttestVerifyArgs } from '../parse-command-line.js';

const MAX_TOKEN_FILE = 64 * 1024;

/** Resolves to 0 when the token passes; throws TEEINIT_ATTEST_REFUSED (77) and others. */
export async function attestVerifyCommand(
  args: AttestVerifyArgs,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const policy = loadPolicyFile(args.policy);
  const token = readToken(args.token);
  const options: TokenVerifierOptions = {
    ...(args.jwks === undefined
      ? {}
      : { jwks: input(args.jwks, () => readJwksFile(args.jwks ?? '')) }),
    ...(args.root === undefined ? {} : { root: input(args.root, () => readRoot(args.root ?? '')) }),
  };
  try {
    const claims = await createPeerVerifier(policy, options).verifyToken(token, args.nonce);
    io.stdout.write(
      json ? JSON.stringify({ result: 'admitted', claims }) + '\n' : formatClaims(claims),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof AttestRefusal)) throw error;
    if (error.reason === 'attestation-keys-unavailable') {
      throw new TeeinitError(
        'TEEINIT_ATTEST_KEYS_UNAVAILABLE',
        `The issuer's keys for ${args.token} cannot be fetched: ${error.detail}.`,
        { fields: { reason: error.reason } },
      );
    }
    if (json) {
      const out = {
        result: 'refused',
        reason: error.reason,
        detail: error.detail,
        claims: error.claims,
      };
      io.stdout.write(JSON.stringify(out) + '\n');
    } else if (error.claims !== undefined) {
      io.stdout.write(formatClaims(error.claims, 'refused'));
    }
    throw new TeeinitError(
      'TEEINIT_ATTEST_REFUSED',
      `Token ${args.token} refused by policy ${args.policy}: ${error.reason}: ${error.detail}.`,
      { fields: { reason: error.reason } },
    );
  }
}

function readToken(path: string): string {
  const text = input(path, () => {
    return readFileBoundedSync(path, MAX_TOKEN_FILE).toString('utf8').trim();
  });
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text)) {
    throw new TeeinitError(
      'TEEINIT_ATTEST_INPUT',
      `Token file ${path} does not hold one compact JWT.`,
      {
        fields: { path },
      },
    );
  }
  return text;
}

function readRoot(path: string): X509Certificate {
  return readRootFile(path);
}

/** Runs a file read; any failure becomes TEEINIT_ATTEST_INPUT naming the file, never its content. */
function input<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const message = cause instanceof Error ? cause.message : 'unreadable';
    const why = code === undefined || code === 'EFBIG' ? message : code;
    throw new TeeinitError('TEEINIT_ATTEST_INPUT', `Cannot use ${path}: ${why}.`, {
      cause,
      fields: { path },
    });
  }
}

// The claims as aligned text lines, after a first line saying the verdict.
export function formatClaims(c: ClaimSummary, verdict = 'admitted'): string {
  const time = (s: number | undefined): string | undefined =>
    s === undefined ? undefined : new Date(s * 1000).toISOString();
  const rows: [string, string | undefined][] = [
    ['token type', c.tokenType],
    ['issuer', c.issuer],
    ['audience', c.audience.join(', ')],
    ['image digest', c.imageDigest],
    ['image reference', c.imageReference],
    ['hwmodel', c.hwmodel],
    ['swname', c.swname],
    ['dbgstat', c.dbgstat],
    ['support', c.supportAttributes?.join(', ')],
    ['project', c.projectId],
    ['instance', c.instanceName],
    ['service accounts', c.serviceAccounts?.join(', ')],
    ['nonces', c.nonces.join(', ')],
    ['issued at', time(c.issuedAt)],
    ['expires at', time(c.expiresAt)],
  ];
  const lines = rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
    .map(([k, v]) => `${k.padEnd(17)}${v}`);
  return [verdict, ...lines].join('\n') + '\n';
}
