// The tenants configuration: its schema and its one loader, read by the CDK app and the offline runtime.
import { readFileSync } from 'node:fs';
// The namespace import leaves zod's message translations (about 260 KB) out of the bundles.
import * as z from 'zod';
import { PasswordPolicySchema } from '#domain/password-policy.ts';
import { TenantIdSchema, type TenantRecordInput } from '#domain/tenant.ts';
import { TenantRulesSchema } from '#domain/tenant-rules.ts';

export { type PasswordPolicy, PasswordPolicySchema } from '#domain/password-policy.ts';

// The fields below `features` matter only to the CDK app (the deployed pools); the offline runtime ignores them.

/** Where the hosted login page may send people back to: the tenant's applications. */
export const AppClientConfigSchema = z.strictObject({
  callbackUrls: z.array(z.url()).min(1).max(100),
  logoutUrls: z.array(z.url()).max(100).optional(),
});

/** The Cognito domain prefix of the hosted login page: `https://<prefix>.auth.<region>.amazoncognito.com`. */
const DomainPrefixSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
  .refine((prefix) => !/aws|amazon|cognito/.test(prefix), 'may not contain aws, amazon or cognito');

/** An identity provider name as Cognito takes it (also what `identity_provider=` names on the login page). */
const ProviderNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,30}[A-Za-z0-9]$/);

/** An email domain, as people's addresses end after the @: lower-case. */
const EmailDomainSchema = z
  .string()
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lower-case domain name');

/** What every provider states: how it relates to passwords, and whose addresses it vouches for. */
const SsoCommon = {
  name: ProviderNameSchema,
  /**
   * `optional`: password or provider; `required`: people whose email is of `domains` must sign in with the
   * provider (their password is refused). Default `optional`.
   */
  mode: z.enum(['optional', 'required']).default('optional'),
  /** The email domains whose people the provider signs in; `required` needs at least one. */
  domains: z.array(EmailDomainSchema).max(20).default([]),
};

/** The tenant's own OIDC or SAML identity provider, for single sign-on. */
export const SsoConfigSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('oidc'),
      ...SsoCommon,
      issuerUrl: z.url(),
      clientId: z.string().min(1),
      /** Name or ARN of the Secrets Manager secret holding the client secret: never the secret itself. */
      clientSecretName: z.string().min(1),
      scopes: z.array(z.string().min(1)).optional(),
    }),
    z.strictObject({
      type: z.literal('saml'),
      ...SsoCommon,
      metadataUrl: z.url(),
    }),
  ])
  .refine((sso) => sso.mode === 'optional' || sso.domains.length > 0, {
    message: 'a required provider names the email domains it is required for',
    path: ['domains'],
  });
export type SsoConfig = z.infer<typeof SsoConfigSchema>;

export const TenantConfigSchema = z.strictObject({
  /** Stable tenant id: lower-case letters and digits, it prefixes every key of the tenant's data. */
  id: TenantIdSchema,
  name: z.string().min(1).max(100),
  mailFrom: z.email(),
  passwordPolicy: PasswordPolicySchema,
  mfa: z.enum(['off', 'optional', 'required']),
  ...TenantRulesSchema.shape,
  /**
   * How Cognito sends the tenant's mails: `ses` (default) from `mailFrom`, an identity verified in SES;
   * `cognito`: Cognito's own sender (no-reply@verificationemail.com, a small daily quota: trials only).
   */
  mailVia: z.enum(['ses', 'cognito']).optional(),
  /** The SES-verified domain that covers `mailFrom`; absent: `mailFrom` itself is the verified identity. */
  sesVerifiedDomain: z.string().min(3).optional(),
  /** Cognito's feature plan; `plus` adds threat protection (billed per active user). Default `essentials`. */
  featurePlan: z.enum(['essentials', 'plus']).optional(),
  /** Default: `gatehouse-<id>-<8 characters of the stack's id>`, unique without coordination. */
  domainPrefix: DomainPrefixSchema.optional(),
  /** Default: a localhost callback, enough to try the hosted login page; set the applications' URLs. */
  appClient: AppClientConfigSchema.optional(),
  /**
   * Where the tenant's people sign in: its application, which starts the sign-in itself. The welcome and reset mails
   * link here; absent, they link to the managed login page for the app client and its first callback URL.
   */
  signInUrl: z.url({ protocol: /^https$/ }).optional(),
  sso: SsoConfigSchema.optional(),
});
export type TenantConfig = z.infer<typeof TenantConfigSchema>;

export const TenantsConfigSchema = z
  .strictObject({
    region: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/),
    /** Deployed only: who is mailed when an alarm fires (they confirm the subscription once). */
    alarmEmail: z.email().optional(),
    tenants: z.array(TenantConfigSchema).min(1),
  })
  .refine((config) => new Set(config.tenants.map((t) => t.id)).size === config.tenants.length, {
    message: 'tenant ids must be unique',
    path: ['tenants'],
  });
export type TenantsConfig = z.infer<typeof TenantsConfigSchema>;

export const defaultTenantsFile = new URL('./tenants.json', import.meta.url);

export function loadTenantsConfig(file: string | URL = defaultTenantsFile): TenantsConfig {
  return TenantsConfigSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** What a deployed (or offline) pool adds to a tenant's configuration. */
export interface PoolIdentity {
  userPoolId: string;
  issuer: string;
  clientId: string;
  /** The pool domain's OAuth token endpoint (the client-credentials grant of SCIM OAuth clients). */
  tokenUrl?: string;
}

/**
 * The registry record of a configured tenant, as the tenant's stack (its custom resource) and the offline
 * runtime write it. A field at its schema default is left out; the registry's parse fills it in. `signInUrl`
 * is where the tenant's mails send people: its application's when configured (offline: the local login page).
 */
export function registryRecord(
  tenant: TenantConfig,
  pool: PoolIdentity,
  signInUrl: string | undefined = tenant.signInUrl,
): TenantRecordInput {
  const { features, organisation, licences, licenceRequired, sso } = tenant;
  return {
    id: tenant.id,
    name: tenant.name,
    status: 'active',
    userPoolId: pool.userPoolId,
    issuer: pool.issuer,
    clientIds: [pool.clientId],
    passwordPolicy: tenant.passwordPolicy,
    mailFrom: tenant.mailFrom,
    ...(features.length > 0 ? { features } : {}),
    // An empty list is kept: it allows none, where an absent one allows any.
    ...(Object.keys(organisation).length > 0 ? { organisation } : {}),
    ...(Object.keys(licences).length > 0 ? { licences } : {}),
    ...(licenceRequired ? { licenceRequired } : {}),
    ...(signInUrl ? { signInUrl } : {}),
    ...(pool.tokenUrl ? { tokenUrl: pool.tokenUrl } : {}),
    ...(sso ? { sso: { provider: sso.name, mode: sso.mode, domains: sso.domains } } : {}),
  };
}

/**
 * `count` generated tenants (`t0001`, `t0002`…), for trying a large deployment offline and for the bench:
 * each valid as a configured tenant, with its own policy-conforming defaults.
 */
export function generatedTenants(count: number, from = 1): TenantConfig[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `t${String(from + i).padStart(4, '0')}`;
    return TenantConfigSchema.parse({
      id,
      name: `Generated tenant ${id}`,
      mailFrom: `no-reply@${id}.example.com`,
      passwordPolicy: {
        minimumLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 7,
      },
      mfa: 'optional',
    });
  });
}
