// Use cases: read one user, the caller themselves, or a page of the tenant's users.
import type { User } from '#domain/user.ts';
import { existingUser } from './changes.ts';
import type { Caller, Deps, Page } from './ports.ts';

export const getUser = existingUser;

export function listUsers(
  deps: Deps,
  caller: Caller,
  query: { limit: number; cursor?: string; status?: 'archived' },
): Promise<Page<User>> {
  const { status, ...page } = query;
  return deps.users.list(caller.tenant.id, { ...page, archived: status === 'archived' });
}
