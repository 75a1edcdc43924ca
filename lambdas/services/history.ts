// Use case: read the history, of one user or of the whole tenant, newest first.
import { Forbidden, UserNotFound } from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import { existingUser } from './changes.ts';
import type { Caller, Deps, Page } from './ports.ts';

export async function readHistory(
  deps: Deps,
  caller: Caller,
  userId: string | undefined,
  page: { limit: number; cursor?: string },
): Promise<Page<HistoryEntry>> {
  if (!caller.reach.tenantWide) {
    // A scoped administrator reads only the history of users within reach, one user at a time.
    if (!userId) throw new Forbidden('The whole tenant’s history needs history.read for the whole tenant.');
    await existingUser(deps, caller, userId);
  }
  const found = await deps.users.history(caller.tenant.id, userId, page);
  // A user with no history at all never existed here (a deleted one keeps their entries).
  if (userId && !page.cursor && found.items.length === 0) throw new UserNotFound();
  return found;
}
