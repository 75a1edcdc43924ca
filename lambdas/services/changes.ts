// What every change of a user shares: the user it acts on, its history entry, and how its final write ends.
import { covers } from '#domain/access.ts';
import { DomainError, UserNotFound } from '#domain/errors.ts';
import { diff, type HistoryEntry } from '#domain/history.ts';
import { PERMISSIONS } from '#domain/permissions.ts';
import type { Actor, User } from '#domain/user.ts';
import type { Caller, Deps, Tenant, WriteOptions } from './ports.ts';

/** The user, if the caller may reach them: outside a scoped administrator's reach is the same 404 as absent. */
export async function existingUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  const user = await deps.users.get(caller.tenant.id, userId);
  if (!user || !covers(caller.reach, user)) throw new UserNotFound();
  return user;
}

export function historyEntry(
  deps: Deps,
  caller: Caller,
  action: string,
  userId: string,
  changes: HistoryEntry['changes'],
): HistoryEntry {
  return {
    id: deps.newId(),
    userId,
    at: deps.now().toISOString(),
    actor: caller.actor,
    action,
    requestId: caller.requestId,
    changes,
  };
}

export function changeEntry(
  deps: Deps,
  caller: Caller,
  action: string,
  before: User,
  after: User,
): HistoryEntry {
  return historyEntry(deps, caller, action, before.id, diff(before, after));
}

/** The final write completes the caller's idempotency key, if any, with the operation's result; seats bound it. */
export function completing(caller: Caller, result: unknown): WriteOptions {
  return {
    seats: caller.tenant.licences,
    ...(caller.idempotency ? { completes: caller.idempotency, result } : {}),
  };
}

/**
 * Runs the final write after a Cognito step; if the write is refused (a domain rule: email taken, changed
 * meanwhile, last administrator), undoes the step so Cognito and the profile agree again. Any other failure
 * may have taken effect, so the step stays for the retry or the reconciler to settle.
 */
export async function writeOrUndo(write: () => Promise<void>, undo: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (error instanceof DomainError) await undo();
    throw error;
  }
}

/** Gatehouse itself acting (the reconciler, the first-administrator script): everywhere, with every permission. */
export function systemCaller(tenant: Tenant, actor: Actor, requestId: string): Caller {
  const everywhere = { tenantWide: true } as const;
  return {
    tenant,
    actor,
    requestId,
    access: { permissions: new Set(PERMISSIONS), has: () => true, reach: () => everywhere },
    reach: everywhere,
  };
}
