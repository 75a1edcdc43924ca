// Use cases: read one user, the caller themselves, or a page of the tenant's users.
import { covers } from '#domain/access.ts';
import type { Filters } from '#domain/search.ts';
import type { User } from '#domain/user.ts';
import { existingUser } from './changes.ts';
import type { Caller, Deps, Page } from './ports.ts';

export const getUser = existingUser;

export interface ListQuery extends Filters {
  q?: string;
  limit: number;
  cursor?: string;
}

/**
 * Finds users by keywords and filters, sorted by last name, first name. A scoped administrator finds only
 * users within their reach.
 */
export function listUsers(deps: Deps, caller: Caller, query: ListQuery): Promise<Page<User>> {
  const { q, limit, cursor, ...filters } = query;
  const { reach } = caller;
  return deps.users.search(caller.tenant.id, {
    ...(q ? { q } : {}),
    filters,
    limit,
    ...(cursor ? { cursor } : {}),
    ...(reach.tenantWide
      ? {}
      : {
          within: (values) =>
            covers(reach, {
              teams: values.team,
              areas: values.area,
              userType: values.type[0] === 'external' ? 'external' : 'internal',
              ...(values.client[0] ? { clientOrganisation: values.client[0] } : {}),
            }),
        }),
  });
}

/** Seats, used and free per licence type of the tenant. */
export async function licenceUsage(deps: Deps, caller: Caller) {
  const used = await deps.users.licencesUsed(caller.tenant.id);
  return Object.entries(caller.tenant.licences).map(([type, seats]) => {
    const taken = used[type] ?? 0;
    return { type, seats, used: taken, free: Math.max(0, seats - taken) };
  });
}
