// What a user may do, and over whom: permissions from their roles, each reaching as far as its role's scope.
import { Forbidden } from './errors.ts';
import { ADMINISTRATOR, type Role, type RoleAssignment } from './roles.ts';
import type { User } from './user.ts';

/** How far a permission reaches: the whole tenant, or the users of some teams, areas and client organisations. */
export type Reach =
  | { tenantWide: true }
  | {
      tenantWide: false;
      teams: ReadonlySet<string>;
      areas: ReadonlySet<string>;
      clients: ReadonlySet<string>;
    };

export const NOWHERE: Reach = { tenantWide: false, teams: new Set(), areas: new Set(), clients: new Set() };

export interface Access {
  /** Every permission the user holds anywhere. */
  permissions: ReadonlySet<string>;
  has(permission: string): boolean;
  reach(permission: string): Reach;
}

/**
 * The Administrator holds every permission, tenant-wide: those of every role in the catalogue, Gatehouse's and
 * the application's, so an administrator can give any role.
 */
export function accessOf(roles: readonly RoleAssignment[], catalogue: ReadonlyMap<string, Role>): Access {
  if (roles.some((r) => r.role === ADMINISTRATOR) && catalogue.has(ADMINISTRATOR)) {
    const all = new Set([...catalogue.values()].flatMap((role) => role.permissions));
    return { permissions: all, has: () => true, reach: () => ({ tenantWide: true }) };
  }
  const granted = roles.flatMap((assignment) => {
    const role = catalogue.get(assignment.role);
    return role ? [{ role, assignment }] : [];
  });
  const permissions = new Set(granted.flatMap(({ role }) => role.permissions));
  return {
    permissions,
    has: (permission) => permissions.has(permission),
    reach(permission) {
      const teams = new Set<string>();
      const areas = new Set<string>();
      const clients = new Set<string>();
      for (const { role, assignment } of granted) {
        if (!role.permissions.includes(permission)) continue;
        if (role.scope === 'tenant') return { tenantWide: true };
        for (const t of assignment.teams ?? []) teams.add(t);
        for (const a of assignment.areas ?? []) areas.add(a);
        if (assignment.client) clients.add(assignment.client);
      }
      return { tenantWide: false, teams, areas, clients };
    },
  };
}

/** Whether a user is within reach: one of their teams or areas, or, for an external user, their client. */
export function covers(
  reach: Reach,
  user: Pick<User, 'teams' | 'areas' | 'userType' | 'clientOrganisation'>,
): boolean {
  if (reach.tenantWide) return true;
  return (
    (user.teams ?? []).some((t) => reach.teams.has(t)) ||
    (user.areas ?? []).some((a) => reach.areas.has(a)) ||
    (user.userType === 'external' && !!user.clientOrganisation && reach.clients.has(user.clientOrganisation))
  );
}

/**
 * No escalation: a caller gives only roles whose permissions they hold themselves, and a scoped caller only
 * scoped roles within their own reach; nobody changes their own roles.
 */
export function checkGrant(
  caller: { id: string; access: Access; reach: Reach },
  target: Pick<User, 'id'>,
  before: readonly RoleAssignment[],
  after: readonly RoleAssignment[],
  catalogue: ReadonlyMap<string, Role>,
): void {
  const key = (a: RoleAssignment) => JSON.stringify([a.role, a.teams ?? [], a.areas ?? [], a.client ?? null]);
  const had = new Set(before.map(key));
  const added = after.filter((a) => !had.has(key(a)));
  const removed = before.length + added.length !== after.length;
  if ((added.length > 0 || removed) && caller.id === target.id)
    throw new Forbidden('You cannot change your own roles.');
  for (const assignment of added) {
    const role = catalogue.get(assignment.role);
    if (!role) continue; // reported by checkAssignments
    const lacking = role.permissions.filter((p) => !caller.access.has(p));
    if (lacking.length > 0) {
      throw new Forbidden(
        `You cannot give ${role.name}: it carries ${lacking.join(', ')}, which you do not hold.`,
      );
    }
    const { reach } = caller;
    if (reach.tenantWide) continue;
    const inside =
      role.scope !== 'tenant' &&
      (assignment.teams ?? []).every((t) => reach.teams.has(t)) &&
      (assignment.areas ?? []).every((a) => reach.areas.has(a)) &&
      (assignment.client === undefined || reach.clients.has(assignment.client));
    if (!inside)
      throw new Forbidden(`You cannot give ${role.name} beyond the teams, areas or client you manage.`);
  }
}
