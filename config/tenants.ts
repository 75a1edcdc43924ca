// The tenants configuration: its schema and its one loader, read by the CDK app and the offline runtime.
import { readFileSync } from 'node:fs';
// The namespace import leaves zod's message translations (about 260 KB) out of the bundles.
import * as z from 'zod';
import { PasswordPolicySchema } from '#domain/password-policy.ts';
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

/** The tenant's own OIDC or SAML identity provider, for single sign-on. */
export const SsoConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('oidc'),
    name: ProviderNameSchema,
    issuerUrl: z.url(),
    clientId: z.string().min(1),
    /** Name or ARN of the Secrets Manager secret holding the client secret: never the secret itself. */
    clientSecretName: z.string().min(1),
    scopes: z.array(z.string().min(1)).optional(),
  }),
  z.strictObject({
    type: z.literal('saml'),
    name: ProviderNameSchema,
    metadataUrl: z.url(),
  }),
]);
export type SsoConfig = z.infer<typeof SsoConfigSchema>;

export const TenantConfigSchema = z.strictObject({
  /** Stable tenant id: lower-case letters and digits, it prefixes every key of the tenant's data. */
  id: z.string().regex(/^[a-z][a-z0-9]{1,30}$/),
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
