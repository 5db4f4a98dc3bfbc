// Who may call Secret Manager in the emulator (once emulator/bearer-auth.ts resolved the
// caller): IAM permissions mapped to the predefined roles that carry them, and the emulator
// owner (the admin token's principal) who may do everything.
import type { AccessTokenRegistry } from '../access-tokens.js';
import { isGranted } from '../members.js';
import type { IamBinding, Principal } from '../model.js';

/**
 * The emulator owner: the principal behind the admin token. It may create secrets, list
 * them, add versions and set IAM policies without any binding (project owner in real GCP).
 */
export const ownerPrincipal: Principal = Object.freeze({
  type: 'serviceAccount',
  subject: 'emulator-owner@teeinit-emulator.iam.gserviceaccount.com',
  attributes: Object.freeze({}),
});

/** Mints the admin token: an access token for the owner principal (default: 30 days). */
export function issueOwnerToken(
  tokens: AccessTokenRegistry,
  lifetimeSeconds = 30 * 86_400,
): string {
  return tokens.issue(ownerPrincipal, lifetimeSeconds).token;
}

/** True for the emulator owner, who bypasses IAM. */
export function isOwner(principal: Principal): boolean {
  return principal.type === ownerPrincipal.type && principal.subject === ownerPrincipal.subject;
}

export type SmPermission =
  | 'secretmanager.versions.access'
  | 'secretmanager.versions.get'
  | 'secretmanager.versions.list'
  | 'secretmanager.versions.add'
  | 'secretmanager.versions.enable'
  | 'secretmanager.versions.disable'
  | 'secretmanager.versions.destroy'
  | 'secretmanager.secrets.get'
  | 'secretmanager.secrets.update'
  | 'secretmanager.secrets.delete'
  | 'secretmanager.secrets.getIamPolicy'
  | 'secretmanager.secrets.setIamPolicy'
  | 'secretmanager.secrets.create'
  | 'secretmanager.secrets.list';

const ADMIN = ['roles/owner', 'roles/secretmanager.admin'];
const VIEW = [...ADMIN, 'roles/viewer', 'roles/secretmanager.viewer'];
const MANAGE = [...ADMIN, 'roles/secretmanager.secretVersionManager'];

/** Secret-level roles granting each permission (project-level ones: owner only). */
export const PERMISSION_ROLES: Readonly<Record<SmPermission, readonly string[]>> = {
  'secretmanager.versions.access': [...ADMIN, 'roles/secretmanager.secretAccessor'],
  'secretmanager.versions.get': [...VIEW, 'roles/secretmanager.secretVersionManager'],
  'secretmanager.versions.list': [...VIEW, 'roles/secretmanager.secretVersionManager'],
  'secretmanager.versions.add': [...MANAGE, 'roles/secretmanager.secretVersionAdder'],
  'secretmanager.versions.enable': MANAGE,
  'secretmanager.versions.disable': MANAGE,
  'secretmanager.versions.destroy': MANAGE,
  'secretmanager.secrets.get': VIEW,
  'secretmanager.secrets.update': ADMIN,
  'secretmanager.secrets.delete': ADMIN,
  'secretmanager.secrets.getIamPolicy': VIEW,
  'secretmanager.secrets.setIamPolicy': ADMIN,
  'secretmanager.secrets.create': [],
  'secretmanager.secrets.list': [],
};

/** True when the principal holds `permission` through `bindings` (or is the owner). */
export function hasPermission(
  principal: Principal,
  permission: SmPermission,
  bindings: readonly IamBinding[],
): boolean {
  return isOwner(principal) || isGranted(bindings, PERMISSION_ROLES[permission], principal);
}
