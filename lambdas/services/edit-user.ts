// Use case: edit a user's profile, guarded by the version the editor last read.
import { VersionConflict } from '#domain/errors.ts';
import { edited, type ProfileChanges, type User } from '#domain/user.ts';
import { changeEntry, completing, existingUser, writeOrUndo } from './changes.ts';
import type { Caller, Deps } from './ports.ts';
import { checkProfileRules } from './profile-rules.ts';

export async function editUser(
  deps: Deps,
  caller: Caller,
  userId: string,
  expectedVersion: number,
  changes: ProfileChanges,
): Promise<User> {
  const user = await existingUser(deps, caller, userId);
  // Checked before Cognito is touched; the transaction checks it again for an edit that lands meanwhile.
  if (user.version !== expectedVersion) throw new VersionConflict();
  const next = await checkProfileRules(
    deps,
    caller,
    user,
    edited(user, changes, caller.actor, deps.now().toISOString()),
  );
  const write = () =>
    deps.users.update(
      caller.tenant.id,
      user,
      next,
      changeEntry(deps, caller, 'user.edited', user, next),
      completing(caller, next),
    );
  const sub = user.cognitoSub;
  if (next.email === user.email || !sub) {
    await write();
    return next;
  }
  // The sign-in email changes in Cognito too, first, so the profile never names an email that cannot sign in.
  await deps.directory.changeEmail(caller.tenant, sub, next.email);
  await writeOrUndo(write, () => deps.directory.changeEmail(caller.tenant, sub, user.email));
  return next;
}
