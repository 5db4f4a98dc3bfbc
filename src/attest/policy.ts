// The claim checks of an attestation policy, applied to a token whose signature and times
// have been verified. The first failing check refuses with `attestation-policy` and says
// which claim and value, never more.
import type { AttestPolicy, AttestTokenType } from '../config/types.js';
import { claimAt, printableClaim, stringClaim, stringList, type Claims } from './claims.js';
import { refuse } from './reasons.js';

const SWNAME = 'CONFIDENTIAL_SPACE';
const PRODUCTION_DBGSTAT = 'disabled-since-boot';

type Check = (
  claims: Claims,
  policy: AttestPolicy,
  tokenType: AttestTokenType,
) => string | undefined;

const show = (v: string | undefined): string => (v === undefined ? 'absent' : printableClaim(v));

const CHECKS: readonly Check[] = [
  (c, p) => {
    const iss = stringClaim(c, 'iss');
    return iss === p.issuer ? undefined : `issuer ${show(iss)} is not ${p.issuer}`;
  },
  (c, p) =>
    stringList(c, 'aud').includes(p.audience)
      ? undefined
      : `audience ${show(stringList(c, 'aud').join(','))} is not ${p.audience}`,
  (_c, p, type) => (p.tokenTypes.includes(type) ? undefined : `token type ${type} is not accepted`),
  (c) => {
    const sw = stringClaim(c, 'swname');
    return sw === SWNAME ? undefined : `swname ${show(sw)} is not ${SWNAME}`;
  },
  (c) => (claimAt(c, 'secboot') === true ? undefined : 'secure boot is not on (secboot)'),
  (c, p) => {
    const dbg = stringClaim(c, 'dbgstat');
    if (dbg === PRODUCTION_DBGSTAT || p.unsafeAllowDebug) return undefined;
    return `debug image (dbgstat ${show(dbg)})`;
  },
  (c, p) => {
    if (p.supportAttribute === 'unsafe-any') return undefined;
    const attrs = stringList(c, 'submods.confidential_space.support_attributes');
    return attrs.includes(p.supportAttribute)
      ? undefined
      : `support_attributes [${attrs.map(printableClaim).join(',')}] lack ${p.supportAttribute}`;
  },
  (c, p) => {
    const hw = stringClaim(c, 'hwmodel');
    return hw !== undefined && p.hwmodels.includes(hw)
      ? undefined
      : `hwmodel ${show(hw)} is not listed`;
  },
  (c, p) => {
    if (p.imageDigests.length === 0) return undefined;
    const d = stringClaim(c, 'submods.container.image_digest');
    return d !== undefined && p.imageDigests.includes(d)
      ? undefined
      : `image digest ${show(d)} is not listed`;
  },
  (c, p) => {
    if (p.imageReferencePrefixes.length === 0) return undefined;
    const ref = stringClaim(c, 'submods.container.image_reference');
    return ref !== undefined && p.imageReferencePrefixes.some((x) => ref.startsWith(x))
      ? undefined
      : `image reference ${show(ref)} matches no listed prefix`;
  },
  (c, p) => {
    if (p.imageSignatureKeyIds.length === 0) return undefined;
    const sigs = claimAt(c, 'submods.container.image_signatures');
    const ids = Array.isArray(sigs)
      ? sigs.map((s) =>
          typeof s === 'object' && s !== null ? (s as Record<string, unknown>).key_id : undefined,
        )
      : [];
    return ids.some((id) => typeof id === 'string' && p.imageSignatureKeyIds.includes(id))
      ? undefined
      : 'no image signature by a listed key id';
  },
  (c, p) => {
    if (p.serviceAccounts.length === 0) return undefined;
    const sas = stringList(c, 'google_service_accounts');
    return sas.some((sa) => p.serviceAccounts.includes(sa))
      ? undefined
      : `service accounts [${sas.map(printableClaim).join(',')}] include none listed`;
  },
  (c, p) => {
    if (p.projectIds.length === 0) return undefined;
    const id = stringClaim(c, 'submods.gce.project_id');
    return id !== undefined && p.projectIds.includes(id)
      ? undefined
      : `project ${show(id)} is not listed`;
  },
];

/** Throws `attestation-policy` with the first claim that does not meet `policy`. */
export function checkPolicy(
  claims: Claims,
  policy: AttestPolicy,
  tokenType: AttestTokenType,
): void {
  for (const check of CHECKS) {
    const failure = check(claims, policy, tokenType);
    if (failure !== undefined) throw refuse('attestation-policy', failure);
  }
}
