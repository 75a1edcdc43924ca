// Use cases: read one user, the caller themselves, or a page of the tenant's users.
import { covers } from '#domain/access.ts';
import type { User } from '#domain/user.ts';
import { existingUser } from './changes.ts';
import type { Caller, Deps, Page } from './ports.ts';

export const getUser = existingUser;

export async function listUsers(
  deps: Deps,
  caller: Caller,
  query: { limit: number; cursor?: string; status?: 'archived' },
): Promise<Page<User>> {
  const { status, ...page } = query;
  const archived = status === 'archived';
  if (caller.reach.tenantWide) return deps.users.list(caller.tenant.id, { ...page, archived });
  // A scoped administrator's page holds only users within reach: read on until it is full or the users end.
  const items: User[] = [];
  let cursor = page.cursor;
  do {
    const read = await deps.users.list(caller.tenant.id, {
      limit: page.limit - items.length,
      archived,
      ...(cursor ? { cursor } : {}),
    });
    items.push(...read.items.filter((user) => covers(caller.reach, user)));
    cursor = read.next;
  } while (cursor && items.length < page.limit);
  return { items, ...(cursor ? { next: cursor } : {}) };
}

/** Seats, used and free per licence type of the tenant. */
export async function licenceUsage(deps: Deps, caller: Caller) {
  const used = await deps.users.licencesUsed(caller.tenant.id);
  return Object.entries(caller.tenant.licences).map(([type, seats]) => {
    const taken = used[type] ?? 0;
    return { type, seats, used: taken, free: Math.max(0, seats - taken) };
  });
}
