// Use cases of sign-in: whether a login may sign in now, and what its tokens say about the user.
import { accessOf } from '#domain/access.ts';
import { REFUSALS, refusalOf, type SignInRules } from '#domain/sign-in.ts';
import type { User } from '#domain/user.ts';
import type { Deps } from './ports.ts';

export interface Login {
  tenantId: string;
  userId: string;
  cognitoSub: string;
}

/** Why the user may not sign in, in words a person understands; undefined when they may. */
export async function signInRefusal(
  deps: Pick<Deps, 'users'>,
  login: Login,
  rules: SignInRules,
): Promise<string | undefined> {
  const user = await deps.users.get(login.tenantId, login.userId);
  if (!user || user.cognitoSub !== login.cognitoSub) return REFUSALS.unknownLogin;
  return refusalOf(user, rules);
}

/** Claims the tenant's applications authorise with, without calling Gatehouse. Claim values are strings. */
export async function tokenClaims(
  deps: Pick<Deps, 'users' | 'roles'>,
  login: Login,
): Promise<Record<string, string>> {
  const user: User | undefined = await deps.users.get(login.tenantId, login.userId);
  if (!user || user.cognitoSub !== login.cognitoSub) return {};
  const access = accessOf(user.roles, await deps.roles.catalogue(login.tenantId));
  return {
    'gatehouse:tenant': login.tenantId,
    'gatehouse:user': user.id,
    // Each role with the teams, areas or client it applies to, so an application can scope what it allows.
    'gatehouse:roles': JSON.stringify(user.roles),
    'gatehouse:permissions': [...access.permissions].sort().join(' '),
    ...(user.licenceType ? { 'gatehouse:licence': user.licenceType } : {}),
  };
}
