// Who may sign in, in words a person understands, and what a federated identity linked to a user looks like.
import { revise, SIGN_IN, type User } from './user.ts';

/** The rules of the tenant a sign-in is checked against. */
export interface SignInRules {
  licenceRequired: boolean;
}

const CONTACT = 'Please contact your administrator.';

/** The refusals a person may be shown, each in its own words (Cognito shows a trigger's message as given). */
export const REFUSALS = {
  noAccount: `You have no account here. ${CONTACT}`,
  unknownLogin: `Your account is not known here. ${CONTACT}`,
  inactive: `Your account is deactivated. ${CONTACT}`,
  archived: `Your account is archived. ${CONTACT}`,
  unlicensed: `Your account has no licence to sign in. ${CONTACT}`,
  noEmail: `Your identity provider did not give your email address. ${CONTACT}`,
} as const;
export type Refusal = (typeof REFUSALS)[keyof typeof REFUSALS];

/** Why this profile may not sign in; undefined when it may (invited or active, licensed where required). */
export function refusalOf(user: User, rules: SignInRules): Refusal | undefined {
  if (user.status === 'inactive') return REFUSALS.inactive;
  if (user.status === 'archived') return REFUSALS.archived;
  if (rules.licenceRequired && !user.licenceType) return REFUSALS.unlicensed;
  return undefined;
}

/** A person's account at the tenant's identity provider, linked to their login. */
export interface LinkedIdentity {
  /** The provider's name in the user pool (what `identity_provider=` names). */
  provider: string;
  /** The provider's subject for the person (OIDC `sub`, SAML NameID). */
  subject: string;
  linkedAt: string;
}

/**
 * A first sign-in through the identity provider: the identity is linked to the login (`cognitoSub`, new when
 * the profile had none), and an invited user becomes active, as a first password sign-in makes them.
 */
export function linked(user: User, identity: LinkedIdentity, cognitoSub: string): User {
  const at = identity.linkedAt;
  const others = (user.identities ?? []).filter(
    (i) => !(i.provider === identity.provider && i.subject === identity.subject),
  );
  return revise(
    user,
    {
      cognitoSub,
      identities: [...others, identity],
      lastLoginAt: at,
      ...(user.status === 'invited' ? { status: 'active', registeredAt: at } : {}),
    },
    SIGN_IN,
    at,
  );
}

/** A tenant's single sign-on, as its triggers know it. */
export interface TenantSso {
  provider: string;
  mode: 'optional' | 'required';
  /** Email domains (lower-case) whose people the provider signs in. */
  domains: readonly string[];
}

/** Whether `email` must sign in through the provider: the tenant requires it for the email's domain. */
export function providerRequired(sso: TenantSso | undefined, email: string): boolean {
  if (sso?.mode !== 'required') return false;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return sso.domains.includes(domain);
}

/** The refusal of a password sign-in where the provider is required. */
export function passwordRefusal(sso: TenantSso): string {
  return `Please sign in with ${sso.provider}: your organisation does not allow a password here.`;
}
