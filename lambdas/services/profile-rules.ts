// The tenant's rules a profile must keep, checked on every create and edit: roles, scope, licence, client.
import { checkGrant, covers } from '#domain/access.ts';
import { type FieldIssue, Forbidden, InvalidInput, NotificationRuleBroken } from '#domain/errors.ts';
import { checkAssignments, holdsTechnicianRole } from '#domain/roles.ts';
import type { User } from '#domain/user.ts';
import type { Caller, Deps } from './ports.ts';

/** Checks `after` against the tenant's rules; answers it as it must be written (see the dispatch rule below). */
export async function checkProfileRules(
  deps: Deps,
  caller: Caller,
  before: User | undefined,
  after: User,
): Promise<User> {
  const { tenant } = caller;
  const issues: FieldIssue[] = [];
  const licences = Object.keys(tenant.licences);
  if (after.licenceType && licences.length > 0 && !licences.includes(after.licenceType)) {
    issues.push({
      field: 'body.licenceType',
      message: `must be one of this tenant's licences: ${licences.join(', ')}`,
    });
  }
  if (after.userType === 'external' && !after.clientOrganisation) {
    issues.push({ field: 'body.clientOrganisation', message: 'is required for an external user' });
  }
  if (after.userType === 'internal' && after.clientOrganisation) {
    issues.push({ field: 'body.clientOrganisation', message: 'is only for external users' });
  }
  if (after.clientOrganisation && tenant.clients && !tenant.clients.includes(after.clientOrganisation)) {
    issues.push({ field: 'body.clientOrganisation', message: 'is not a client organisation of this tenant' });
  }
  if (issues.length > 0) throw new InvalidInput(issues);

  const rolesChanged = JSON.stringify(before?.roles ?? []) !== JSON.stringify(after.roles);
  if (rolesChanged) {
    const catalogue = await deps.roles.catalogue(tenant.id);
    checkAssignments(after.roles, catalogue, tenant);
    checkGrant(
      { id: caller.actor.id, access: caller.access, reach: caller.reach },
      after,
      before?.roles ?? [],
      after.roles,
      catalogue,
    );
  }
  // A scoped administrator keeps the users they manage within their teams, areas or client.
  if (!covers(caller.reach, after)) {
    throw new Forbidden('The user would be outside the teams, areas or client organisation you manage.');
  }
  return dispatchRule(deps, caller, before, after);
}

/**
 * Work-order dispatch emails are offered only while the user holds a technician-level role: setting them
 * without one is a conflict; taking the last such role takes the setting with it, in the same write (and so in
 * the same history entry).
 */
async function dispatchRule(
  deps: Deps,
  caller: Caller,
  before: User | undefined,
  after: User,
): Promise<User> {
  if (after.notifications?.workOrderDispatch !== true) return after;
  const catalogue = await deps.roles.catalogue(caller.tenant.id);
  if (holdsTechnicianRole(after.roles, catalogue)) return after;
  const carriedOver =
    before?.notifications?.workOrderDispatch === true && holdsTechnicianRole(before.roles, catalogue);
  if (!carriedOver) throw new NotificationRuleBroken();
  const { workOrderDispatch: _dropped, ...others } = after.notifications;
  const { notifications: _all, ...rest } = after;
  return Object.keys(others).length > 0 ? { ...rest, notifications: others } : rest;
}
