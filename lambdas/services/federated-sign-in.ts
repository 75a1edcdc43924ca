// Use case: a first sign-in through the tenant's identity provider, linked to the profile with that email.
import { diff } from '#domain/history.ts';
import { linked, REFUSALS, refusalOf, type SignInRules } from '#domain/sign-in.ts';
import { SIGN_IN, type User } from '#domain/user.ts';
import type { Deps, Identity, TenantPool } from './ports.ts';

export interface FederatedSignIn {
  tenant: TenantPool;
  identity: Identity;
  /** The email the provider gave (mapped to the pool's `email` attribute). */
  email: string | undefined;
  requestId: string;
}

export type FederatedOutcome = { linked: User } | { refused: string };

/**
 * Finds the tenant's profile with the identity's email and links the identity to the profile's login
 * (creating the login first when the profile has none), so the person's tokens are that login's and carry
 * its user id. Refused, in plain words, when there is no such profile or it may not sign in.
 */
export async function linkFederatedSignIn(
  deps: Pick<Deps, 'users' | 'directory' | 'now' | 'newId'>,
  signIn: FederatedSignIn,
  rules: SignInRules,
): Promise<FederatedOutcome> {
  const { tenant, identity } = signIn;
  if (!signIn.email) return { refused: REFUSALS.noEmail };
  const user = await deps.users.findByEmail(tenant.id, signIn.email);
  if (!user) return { refused: REFUSALS.noAccount };
  const refusal = refusalOf(user, rules);
  if (refusal) return { refused: refusal };

  // Cognito first: a crash after the link leaves a linked login the next sign-in (PreAuthentication) checks
  // like any other, and the reconciler records the link on the profile.
  const sub = user.cognitoSub ?? (await deps.directory.createSilentLogin(tenant, user)).sub;
  await deps.directory.linkIdentity(tenant, sub, identity);
  const at = deps.now().toISOString();
  const next = linked(user, { ...identity, linkedAt: at }, sub);
  await deps.users.update(tenant.id, user, next, {
    id: deps.newId(),
    userId: user.id,
    at,
    actor: SIGN_IN,
    action: 'user.linked',
    requestId: signIn.requestId,
    changes: diff(user, next),
  });
  return { linked: next };
}
