// Use cases of the lifecycle: activate, deactivate, archive, restore, delete.
import { InvalidInput, InvalidTransition, LastAdministrator } from '#domain/errors.ts';
import { diff } from '#domain/history.ts';
import {
  archived,
  deactivated,
  invited,
  isActiveAdministrator,
  mayHaveEnabledLogin,
  reenabled,
  restored,
  type User,
} from '#domain/user.ts';
import { changeEntry, completing, existingUser, historyEntry, writeOrUndo } from './changes.ts';
import type { Caller, Deps } from './ports.ts';

/** Sign-in on: a first login (Cognito mails the welcome message), or the existing one enabled again. */
export async function activateUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  const user = await existingUser(deps, caller, userId);
  const at = deps.now().toISOString();
  const { tenant } = caller;
  if (user.status !== 'inactive') throw new InvalidTransition('activate', user.status);
  if (!user.cognitoSub) {
    const { sub } = await deps.directory.createLogin(tenant, user);
    const next = invited(user, sub, caller.actor, at);
    await writeOrUndo(
      () => write(deps, caller, 'user.activated', user, next),
      () => deps.directory.undoCreateLogin(tenant, sub),
    );
    return next;
  }
  const sub = user.cognitoSub;
  const next = reenabled(user, caller.actor, at);
  await deps.directory.enableLogin(tenant, sub);
  // Someone who never set a password gets a fresh invitation: the first may have expired meanwhile.
  if (next.status === 'invited') await deps.directory.resendInvitation(tenant, sub);
  await writeOrUndo(
    () => write(deps, caller, 'user.activated', user, next),
    () => deps.directory.disableLogin(tenant, sub),
  );
  return next;
}

/** Sign-in off: the login is disabled and its sessions revoked. */
export function deactivateUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  return takeAway(deps, caller, userId, 'deactivate', deactivated);
}

/** Out of the default list and unable to sign in, until restored. */
export function archiveUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  return takeAway(deps, caller, userId, 'archive', archived);
}

async function takeAway(
  deps: Deps,
  caller: Caller,
  userId: string,
  verb: 'deactivate' | 'archive',
  transition: typeof deactivated,
): Promise<User> {
  const user = await existingUser(deps, caller, userId);
  const next = transition(user, caller.actor, deps.now().toISOString());
  await refuseLastAdministrator(deps, caller, user, verb);
  const sub = user.cognitoSub;
  if (!sub || !mayHaveEnabledLogin(user)) {
    await write(deps, caller, `user.${verb}d`, user, next);
    return next;
  }
  // Cognito first: the profile never says inactive while the login still lets the user in.
  await deps.directory.disableLogin(caller.tenant, sub);
  await writeOrUndo(
    () => write(deps, caller, `user.${verb}d`, user, next),
    () => deps.directory.enableLogin(caller.tenant, sub),
  );
  return next;
}

/** Back from the archive as inactive; the login stays disabled until activated. */
export async function restoreUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  const user = await existingUser(deps, caller, userId);
  const next = restored(user, caller.actor, deps.now().toISOString());
  await write(deps, caller, 'user.restored', user, next);
  return next;
}

/** For good: the profile and the login go; the history keeps a last entry with the whole profile. */
export async function deleteUser(
  deps: Deps,
  caller: Caller,
  userId: string,
  confirmEmail: string,
): Promise<User> {
  const user = await existingUser(deps, caller, userId);
  if (confirmEmail.toLowerCase() !== user.email) {
    throw new InvalidInput([
      { field: 'body.confirmEmail', message: 'must be the email of the user being deleted' },
    ]);
  }
  await refuseLastAdministrator(deps, caller, user, 'delete');
  const { cognitoSub: _internal, ...snapshot } = user;
  await deps.users.delete(
    caller.tenant.id,
    user,
    historyEntry(deps, caller, 'user.deleted', user.id, diff(snapshot as User, undefined)),
    completing(caller, null),
  );
  // The profile first: a login left behind by a failure here cannot sign in (no profile lets it), and the
  // reconciler removes it.
  // Its identity-provider links go with it: left behind, they would sign in as nobody.
  if (user.cognitoSub) await deps.directory.deleteLogin(caller.tenant, user.cognitoSub, user.identities);
  return user;
}

/**
 * Refused before anything is touched; the transaction's own condition on the count still decides under
 * concurrency.
 */
async function refuseLastAdministrator(deps: Deps, caller: Caller, user: User, verb: string): Promise<void> {
  if (isActiveAdministrator(user) && (await deps.users.activeAdministrators(caller.tenant.id)) <= 1) {
    throw new LastAdministrator(verb);
  }
}

function write(deps: Deps, caller: Caller, action: string, before: User, after: User): Promise<void> {
  return deps.users.update(
    caller.tenant.id,
    before,
    after,
    changeEntry(deps, caller, action, before, after),
    completing(caller, after),
  );
}
