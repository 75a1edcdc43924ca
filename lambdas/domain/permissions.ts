// Gatehouse's own permissions and what the built-in roles grant.

export const PERMISSIONS = [
  'users.read',
  'users.create',
  'users.update',
  'users.lifecycle',
  'users.delete',
  'users.password.reset',
  'roles.manage',
  'history.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const BUILT_IN_ROLES = [
  'Administrator',
  'Accountant',
  'Technician',
  'Work Manager',
  'Work Manager (Read Only)',
  'Team Work Manager',
  'Area Work Manager',
  'Team Administrator',
  'Area Administrator',
] as const;
export type RoleName = (typeof BUILT_IN_ROLES)[number];

/**
 * Gatehouse permissions per built-in role. Only the tenant-wide Administrator manages users until
 * scoped administration exists: granting Team/Area Administrators user permissions before their scope
 * is enforced would let them reach users outside it.
 */
const GRANTS: Record<RoleName, readonly Permission[]> = {
  Administrator: PERMISSIONS,
  Accountant: [],
  Technician: [],
  'Work Manager': [],
  'Work Manager (Read Only)': [],
  'Team Work Manager': [],
  'Area Work Manager': [],
  'Team Administrator': [],
  'Area Administrator': [],
};

export function permissionsOf(roles: readonly { role: RoleName }[]): Set<Permission> {
  return new Set(roles.flatMap((r) => GRANTS[r.role]));
}
