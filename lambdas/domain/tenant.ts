// A tenant as Gatehouse knows it: the registry record's schema and the one function that shapes a Tenant from it.

import { PasswordPolicySchema } from './password-policy.ts';
import type { TenantOrganisation } from './roles.ts';
import type { TenantSso } from './sign-in.ts';
import { TenantRulesSchema } from './tenant-rules.ts';
import * as z from './zod.ts';

export const TENANT_STATUSES = ['active', 'retired'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** Stable tenant id: lower-case letters and digits, it prefixes every key of the tenant's data. */
export const TenantIdSchema = z.string().check(z.regex(/^[a-z][a-z0-9]{1,30}$/));

/**
 * A tenant's registry record, as stored (DynamoDB, one item per id and one per issuer) and as the deploy-time
 * custom resource and the platform command write it.
 */
/**
 * A pool's token-signing keys (its JWKS, as Cognito serves it): RSA keys by id. Kept in the registry record so
 * a function verifies a token without fetching them on its cold start (README "Performance and cost").
 */
export const JwksSchema = z.looseObject({
  keys: z.array(
    z.looseObject({
      kid: z.string().check(z.minLength(1)),
      kty: z.literal('RSA'),
      n: z.string().check(z.minLength(1)),
      e: z.string().check(z.minLength(1)),
      alg: z.optional(z.string()),
      use: z.optional(z.string()),
    }),
  ),
});
export type Jwks = z.infer<typeof JwksSchema>;

export const TenantRecordSchema = z.strictObject({
  id: TenantIdSchema,
  name: z.string().check(z.minLength(1)).check(z.maxLength(100)),
  /** `retired`: its users are refused at sign-in and on every route; its pool and data are kept. */
  status: z.enum(TENANT_STATUSES),
  userPoolId: z.string().check(z.regex(/^[\w-]+_[0-9a-zA-Z]+$/)),
  /** The `iss` of its pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  issuer: z.url(),
  clientIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  passwordPolicy: PasswordPolicySchema,
  /** The sender of the mails the API sends (SES identity, or covered by a verified domain). */
  mailFrom: z.email(),
  /** Where the tenant's mails send people to sign in; absent: its managed login page, read from Cognito. */
  signInUrl: z.optional(z.url()),
  /** Its pool domain's OAuth token endpoint, where a SCIM OAuth client takes its client-credentials grant. */
  tokenUrl: z.optional(z.url()),
  /**
   * Its single sign-on, when it has an identity provider: the provider's name in its pool (a federated user's
   * name starts with it), `required` refuses a password to people of `domains` (lower-case email domains).
   */
  sso: z.optional(
    z.strictObject({
      provider: z.string().check(z.minLength(1)),
      mode: z.enum(['optional', 'required']),
      domains: z.array(z.string().check(z.minLength(1))),
    }),
  ),
  /** The issuer's signing keys when it was registered; a token signed by another key fetches them again. */
  jwks: z.optional(JwksSchema),
  ...TenantRulesSchema.shape,
});
export type TenantRecord = z.infer<typeof TenantRecordSchema>;
/** What a writer gives: fields at their defaults may be left out. */
export type TenantRecordInput = z.input<typeof TenantRecordSchema>;

/** The tenant every use case, handler, trigger and job works with. */
export interface Tenant extends TenantOrganisation {
  id: string;
  name: string;
  status: TenantStatus;
  userPoolId: string;
  issuer: string;
  clientIds: readonly string[];
  passwordPolicy: TenantRecord['passwordPolicy'];
  /** The sender of the tenant's mails: an identity verified in SES. */
  mailFrom: string;
  /** Where its mails send people to sign in, when not its managed login page. */
  signInUrl?: string;
  /** Its pool's OAuth token endpoint (client-credentials grant for SCIM), when the record names it. */
  tokenUrl?: string;
  /** Its single sign-on, when it has an identity provider. */
  sso?: TenantSso;
  /** Seats per licence type. */
  licences: Readonly<Record<string, number>>;
  /** Sign-in is refused to users without a licence. */
  licenceRequired: boolean;
  /** The issuer's signing keys as registered, if they were: token checks start from them. */
  jwks?: Jwks;
}

/** The one place a Tenant is shaped: from its registry record, organisation flattened into the tenant. */
export function toTenant(record: TenantRecord): Tenant {
  const { organisation, ...rest } = record;
  return {
    ...rest,
    ...(organisation.teams ? { teams: organisation.teams } : {}),
    ...(organisation.areas ? { areas: organisation.areas } : {}),
    ...(organisation.clients ? { clients: organisation.clients } : {}),
  };
}
