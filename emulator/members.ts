// IAM member matching for the emulator: does a binding's member string name this principal?
import type { IamBinding, Principal } from './model.js';

const PREFIX = '//iam.googleapis.com/';

/** True when `member` (as written in an IAM policy) designates `principal`. */
export function memberMatches(member: string, principal: Principal): boolean {
  if (member === 'allUsers' || member === 'allAuthenticatedUsers') return true;
  if (member.startsWith('serviceAccount:')) {
    return principal.type === 'serviceAccount' && member.slice(15) === principal.subject;
  }
  if (principal.type !== 'workload' || principal.pool === undefined) return false;
  const pool = PREFIX + principal.pool;
  if (member.startsWith('principal:')) {
    return member === `principal:${pool}/subject/${principal.subject}`;
  }
  if (member.startsWith('principalSet:')) {
    const rest = member.slice('principalSet:'.length);
    if (rest === `${pool}/*`) return true;
    const attrPrefix = `${pool}/attribute.`;
    if (!rest.startsWith(attrPrefix)) return false;
    const tail = rest.slice(attrPrefix.length);
    const slash = tail.indexOf('/');
    if (slash <= 0) return false;
    const value = principal.attributes[tail.slice(0, slash)];
    return value !== undefined && value === tail.slice(slash + 1);
  }
  return false;
}

/** True when some binding with one of `roles` names the principal. */
export function isGranted(
  bindings: readonly IamBinding[],
  roles: readonly string[],
  principal: Principal,
): boolean {
  return bindings.some(
    (b) => roles.includes(b.role) && b.members.some((m) => memberMatches(m, principal)),
  );
}
