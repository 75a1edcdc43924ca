// Use case: read the history, of one user or of the whole tenant, newest first.
import { UserNotFound } from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import type { Caller, Deps, Page } from './ports.ts';

export async function readHistory(
  deps: Deps,
  caller: Caller,
  userId: string | undefined,
  page: { limit: number; cursor?: string },
): Promise<Page<HistoryEntry>> {
  const found = await deps.users.history(caller.tenant.id, userId, page);
  // A user with no history at all never existed here (a deleted one keeps their entries).
  if (userId && !page.cursor && found.items.length === 0) throw new UserNotFound();
  return found;
}
