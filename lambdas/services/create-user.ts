// Use case: add a user to the tenant, optionally activating them at once.
import type { HistoryEntry } from '#domain/history.ts';
import { diff } from '#domain/history.ts';
import { newUser, type Profile, type User } from '#domain/user.ts';
import { withLogin } from './activate-user.ts';
import type { Caller, Deps } from './ports.ts';

export async function createUser(
  deps: Deps,
  caller: Caller,
  profile: Profile,
  activate: boolean,
): Promise<User> {
  const at = deps.now().toISOString();
  const user = newUser(deps.newId(), profile, caller.actor, at);
  const write = async (created: User) => {
    const entry: HistoryEntry = {
      id: deps.newId(),
      userId: created.id,
      at,
      actor: caller.actor,
      action: 'user.created',
      requestId: caller.requestId,
      changes: diff(undefined, created),
    };
    await deps.users.create(caller.tenant.id, created, entry);
  };
  if (!activate) {
    await write(user);
    return user;
  }
  // One Cognito call and one transaction: the login first, so the profile is never written as
  // invited without a login behind it.
  const created = user;
  return withLogin(
    deps,
    caller,
    created,
    (sub) => ({ ...created, status: 'invited', cognitoSub: sub, invitedAt: at }),
    write,
  );
}
