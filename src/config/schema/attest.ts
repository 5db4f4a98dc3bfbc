// Schema of an attestation policy: what a peer's Confidential Space token must show to be
// admitted. It is the `require` part of a proxy's `attest` block and the file
// `teeinit attest verify --policy` reads. Keys and meanings: docs/attested-channel.md#policy.
import { z } from 'zod';
import { DEFAULTS } from '../defaults.js';
import { absolutePath, duration, token } from './primitives.js';

const P = DEFAULTS.attestPolicy;
const PRESENT = DEFAULTS.attestPresent;

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const digest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, { error: 'expected "sha256:" and 64 lowercase hex digits' });
const audience = token.max(512, {
  error: 'expected at most 512 characters (the launcher limit)',
});
const list = <T extends z.ZodType>(item: T) => z.array(item).default([]);

/**
 * What a peer's attestation token must satisfy. Each key that is set must hold (AND); a list
 * admits any of its values (OR). At least one of `imageDigests`, `imageReferencePrefixes`
 * and `imageSignatureKeyIds` is required: a policy that admits any image proves nothing.
 * @example
 * audience: https://teeinit.example/ledger
 * imageDigests: [sha256:0f1e…]
 * serviceAccounts: [workload@operator-proj.iam.gserviceaccount.com]
 */
export const attestPolicySchema = z
  .strictObject({
    /** The `aud` the peer's token must carry (the peer asks the launcher for it). */
    audience,
    tokenTypes: z
      .array(z.enum(['OIDC', 'PKI']))
      .min(1, { error: 'expected OIDC, PKI or both' })
      .default([...P.tokenTypes]),
    issuer: httpUrl.default(P.issuer),
    oidc: z
      .strictObject({
        /** Default: `<issuer>/.well-known/openid-configuration`. */
        discoveryUrl: httpUrl.optional(),
        /** A JWKS file used instead of the discovery document (offline). */
        jwksFile: token.optional(),
      })
      .prefault({}),
    pki: z
      .strictObject({
        /** The root PEM the `x5c` chain must end in; default Google's Confidential Space root. */
        rootFile: token.optional(),
      })
      .prefault({}),
    imageDigests: list(digest),
    imageReferencePrefixes: list(token),
    imageSignatureKeyIds: list(token),
    supportAttribute: z
      .enum(['STABLE', 'USABLE', 'LATEST', 'unsafe-any'])
      .default(P.supportAttribute),
    unsafeAllowDebug: z.boolean().default(P.unsafeAllowDebug),
    hwmodels: z
      .array(token)
      .min(1, { error: 'expected at least one hardware model' })
      .default([...P.hwmodels]),
    serviceAccounts: list(token),
    projectIds: list(token),
    clockSkew: duration(0).default(P.clockSkew),
  })
  .superRefine((p, ctx) => {
    if (
      p.imageDigests.length + p.imageReferencePrefixes.length + p.imageSignatureKeyIds.length ===
      0
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageDigests'],
        message:
          'expected at least one of imageDigests, imageReferencePrefixes or imageSignatureKeyIds',
      });
    }
    if (p.oidc.discoveryUrl !== undefined && p.oidc.jwksFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['oidc', 'jwksFile'],
        message: 'expected either oidc.discoveryUrl or oidc.jwksFile, not both',
      });
    }
  });

/** What a user may write in a policy. */
export type AttestPolicyInput = z.input<typeof attestPolicySchema>;

/**
 * What a proxy presents on each connection: a launcher token for the audience the peer
 * requires, vouching for this instance's ephemeral key. `socket` defaults to
 * `attestation.socket` (filled in when the config is validated).
 * @example
 * present: { audience: https://ledger.example/attested, tokenType: PKI }
 */
export const attestPresentSchema = z.strictObject({
  /** The `aud` the peer's `require.audience` names. */
  audience,
  tokenType: z.enum(['OIDC', 'PKI']).default(PRESENT.tokenType),
  /** The launcher's socket; default `attestation.socket`. */
  socket: absolutePath.optional(),
  /** How long start-up waits for the first token before it fails (nothing listens). */
  startupDeadline: duration().default(PRESENT.startupDeadline),
});

/**
 * A proxy's `attest` block: present our evidence, require the peer's, or both. A
 * connection is relayed only once the exchange is done and the peer's evidence (when
 * required) passed the policy.
 * @example
 * attest:
 *   present: { audience: https://ledger.example/attested }
 *   require: { audience: https://ledger.example/attested, imageDigests: [sha256:0f1e…] }
 */
export const proxyAttestSchema = z
  .strictObject({
    present: attestPresentSchema.optional(),
    require: attestPolicySchema.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.present === undefined && a.require === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected present, require or both (omit attest to turn attestation off)',
      });
    }
  });

/** mtls-server: the policy the clients of one SNI entry must meet instead of the proxy's. */
export const sniAttestSchema = z.strictObject({ require: attestPolicySchema });
