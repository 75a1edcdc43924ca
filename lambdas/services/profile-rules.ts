// The tenant's rules a profile must keep, checked on every create and edit: roles, scope, licence, client.
import { checkGrant, covers } from '#domain/access.ts';
import { type FieldIssue, Forbidden, InvalidInput } from '#domain/errors.ts';
import { checkAssignments } from '#domain/roles.ts';
import type { User } from '#domain/user.ts';
import type { Caller, Deps } from './ports.ts';

export async function checkProfileRules(
  deps: Deps,
  caller: Caller,
  before: User | undefined,
  after: User,
): Promise<void> {
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
}
