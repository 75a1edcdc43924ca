// Use cases of passwords: reset, re-send the invitation, and an administrator setting one directly.
import { InvalidInput, InvalidTransition, NoLogin } from '#domain/errors.ts';
import { brokenPasswordRules } from '#domain/password-policy.ts';
import type { User } from '#domain/user.ts';
import { completing, existingUser, historyEntry } from './changes.ts';
import type { Caller, Deps } from './ports.ts';

/** An invited user gets a fresh invitation; an active one Cognito's reset code, and must choose anew. */
export async function resetPassword(deps: Deps, caller: Caller, userId: string): Promise<User> {
  const user = await existingUser(deps, caller, userId);
  const sub = user.cognitoSub;
  if (!sub || (user.status !== 'invited' && user.status !== 'active')) {
    throw new InvalidTransition('reset the password of', user.status);
  }
  if (user.status === 'invited') await deps.directory.resendInvitation(caller.tenant, sub);
  else await deps.directory.resetPassword(caller.tenant, sub);
  await deps.users.record(
    caller.tenant.id,
    historyEntry(deps, caller, 'user.password.reset', user.id, {}),
    completing(caller, user),
  );
  return user;
}

/** For users who never completed their first sign-in: a new temporary password, mailed again. */
export async function resendInvitation(deps: Deps, caller: Caller, userId: string): Promise<User> {
  const user = await existingUser(deps, caller, userId);
  if (user.status !== 'invited' || !user.cognitoSub)
    throw new InvalidTransition('re-send the invitation of', user.status);
  await deps.directory.resendInvitation(caller.tenant, user.cognitoSub);
  await deps.users.record(
    caller.tenant.id,
    historyEntry(deps, caller, 'user.invitation.resent', user.id, {}),
    completing(caller, user),
  );
  return user;
}

export interface NewPassword {
  password: string;
  confirmPassword: string;
  temporary: boolean;
}

/** Checked against the tenant's policy here, so the answer names every rule broken, not Cognito's first. */
export async function setPassword(
  deps: Deps,
  caller: Caller,
  userId: string,
  request: NewPassword,
): Promise<User> {
  const issues = [
    ...brokenPasswordRules(request.password, caller.tenant.passwordPolicy).map((message) => ({
      field: 'body.password',
      message,
    })),
    ...(request.password === request.confirmPassword
      ? []
      : [{ field: 'body.confirmPassword', message: 'must be the same as password' }]),
  ];
  if (issues.length > 0) throw new InvalidInput(issues);
  const user = await existingUser(deps, caller, userId);
  if (!user.cognitoSub) throw new NoLogin(user.status);
  if (user.status === 'archived') throw new InvalidTransition('set the password of', user.status);
  await deps.directory.setPassword(caller.tenant, user.cognitoSub, request.password, !request.temporary);
  // The history says a password was set, and whether it must be changed; never the password.
  await deps.users.record(
    caller.tenant.id,
    historyEntry(deps, caller, 'user.password.set', user.id, {
      passwordTemporary: { after: request.temporary },
    }),
    completing(caller, user),
  );
  return user;
}
