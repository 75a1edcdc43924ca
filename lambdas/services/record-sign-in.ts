// Use case: a user signed in; the first sign-in (new password set) makes an invited user active.

import { Forbidden, UserNotFound } from '#domain/errors.ts';
import { diff } from '#domain/history.ts';
import { registered, SIGN_IN, type User } from '#domain/user.ts';
import type { Deps } from './ports.ts';

export interface SignIn {
  tenantId: string;
  userId: string;
  cognitoSub: string;
  requestId: string;
}

export async function recordSignIn(
  deps: Pick<Deps, 'users' | 'now' | 'newId'>,
  signIn: SignIn,
): Promise<User> {
  const user = await deps.users.get(signIn.tenantId, signIn.userId);
  // A login whose profile is gone, or that is not the login the profile knows, is not let in.
  if (!user || user.cognitoSub !== signIn.cognitoSub) throw new UserNotFound();
  const at = deps.now().toISOString();
  if (user.status === 'invited') {
    const next = registered(user, at);
    await deps.users.update(signIn.tenantId, user, next, {
      id: deps.newId(),
      userId: user.id,
      at,
      actor: SIGN_IN,
      action: 'user.registered',
      requestId: signIn.requestId,
      changes: diff(user, next),
    });
    return next;
  }
  if (user.status !== 'active') throw new Forbidden(`Sign-in refused: the account is ${user.status}.`);
  await deps.users.touchLogin(signIn.tenantId, user.id, at);
  return { ...user, lastLoginAt: at };
}
