// Use case: activate a user — Cognito creates the login and mails the welcome message.

import { DomainError, InvalidTransition, UserNotFound } from '#domain/errors.ts';
import { diff, type HistoryEntry } from '#domain/history.ts';
import { invited, type User } from '#domain/user.ts';
import type { Caller, Deps } from './ports.ts';

export async function activateUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  const user = await deps.users.get(caller.tenant.id, userId);
  if (!user) throw new UserNotFound();
  if (user.status !== 'inactive') throw new InvalidTransition('activate', user.status);
  const at = deps.now().toISOString();
  return withLogin(
    deps,
    caller,
    user,
    (sub) => invited(user, sub, caller.actor, at),
    async (next) => {
      const entry: HistoryEntry = {
        id: deps.newId(),
        userId,
        at,
        actor: caller.actor,
        action: 'user.activated',
        requestId: caller.requestId,
        changes: diff(user, next),
      };
      await deps.users.update(caller.tenant.id, next, entry);
    },
  );
}

/**
 * Creates the Cognito login, then writes the user that results. If the write is refused (duplicate
 * email, concurrent change) the login is removed again, so no orphan login is left. Any other failure
 * may have taken effect, so the login stays for the retry or the reconciler to settle.
 */
export async function withLogin(
  deps: Deps,
  caller: Caller,
  user: User,
  next: (sub: string) => User,
  write: (user: User) => Promise<void>,
): Promise<User> {
  const { sub } = await deps.directory.createLogin(caller.tenant, user);
  const result = next(sub);
  try {
    await write(result);
  } catch (error) {
    if (error instanceof DomainError) await deps.directory.deleteLogin(caller.tenant, user.email);
    throw error;
  }
  return result;
}
