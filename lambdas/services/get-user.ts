// Use cases: read one user, the caller themselves, or a page of the tenant's users.
import { UserNotFound } from '#domain/errors.ts';
import type { User } from '#domain/user.ts';
import type { Caller, Deps, Page } from './ports.ts';

export async function getUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  const user = await deps.users.get(caller.tenant.id, userId);
  if (!user) throw new UserNotFound();
  return user;
}

export function listUsers(
  deps: Deps,
  caller: Caller,
  page: { limit: number; cursor?: string },
): Promise<Page<User>> {
  return deps.users.list(caller.tenant.id, page);
}
