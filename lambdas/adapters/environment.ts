// The functions' environment: one zod schema, checked at start-up and typing the CDK functions' environment.
// The namespace import leaves zod's message translations (about 260 KB) out of the bundles.
import * as z from 'zod';
import { PasswordPolicySchema } from '#domain/password-policy.ts';
import { TenantRulesSchema } from '#domain/tenant-rules.ts';
import type { Tenant } from '#services/ports.ts';
import { CognitoBudgetSchema } from './cognito-pace.ts';

/** A tenant as the functions know it: its pool, the issuer of its tokens and its app clients. */
export const TenantEntrySchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  userPoolId: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/),
  issuer: z.url(),
  clientIds: z.array(z.string().min(1)).min(1),
  passwordPolicy: PasswordPolicySchema,
  /** The sender of the mails the API sends (SES identity, or covered by a verified domain). */
  mailFrom: z.email(),
  ...TenantRulesSchema.shape,
});
export type TenantEntry = z.infer<typeof TenantEntrySchema>;

/** The one place a configured tenant becomes the `Tenant` use cases take (its teams, areas and clients included). */
export function toTenant(entry: TenantEntry): Tenant {
  const { issuer: _issuer, clientIds: _clients, licenceRequired: _signIn, organisation, ...tenant } = entry;
  return { ...tenant, ...organisation };
}

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const TABLES = {
  PROFILES_TABLE: z.string().min(3),
  HISTORY_TABLE: z.string().min(3),
  JOBS_TABLE: z.string().min(3),
};
export type TableNames = { [K in keyof typeof TABLES]: string };

/** The API functions: the tables, and every tenant with the issuer its tokens must carry. */
export const ApiEnvironmentSchema = z.object({
  ...TABLES,
  TENANTS: json(z.array(TenantEntrySchema).min(1)),
  /** Paginated routes only: the Secrets Manager secret (ARN or name) holding the page cursors' keys. */
  CURSOR_KEYS_SECRET: z.string().min(1).optional(),
  /** Offline only, instead of the secret: a file with the same JSON (under `.local/`). */
  CURSOR_KEYS_FILE: z.string().min(1).optional(),
});
export type ApiEnvironment = z.infer<typeof ApiEnvironmentSchema>;

/**
 * The job worker: what the API functions know, and its share of Cognito's quotas (calls a second per quota
 * category, shared by every instance: see cognito-pace.ts) and how many items it works on at once.
 */
export const JobWorkerEnvironmentSchema = ApiEnvironmentSchema.extend({
  COGNITO_BUDGET: json(CognitoBudgetSchema).default(CognitoBudgetSchema.parse({})),
  JOB_LANES: z.coerce.number().int().min(1).max(64).default(8),
  /** How long a stopped worker's item stays untouchable before another run takes it over. */
  JOB_ITEM_LEASE_MS: z.coerce.number().int().min(100).max(900_000).default(60_000),
});
export type JobWorkerEnvironment = z.infer<typeof JobWorkerEnvironmentSchema>;

/**
 * The Cognito triggers. They cannot be told their pools' ids: each pool refers to the trigger, so the
 * reverse reference would be a cycle. They know each tenant's display name, and take the tenant from
 * the user's immutable `custom:tenantId`, proven by the login's sub matching that tenant's profile.
 */
export const TriggerEnvironmentSchema = z.object({
  ...TABLES,
  TENANT_NAMES: json(z.record(z.string().min(1), z.string().min(1))),
  /** Tenants whose users need a licence to sign in. */
  LICENCE_REQUIRED_TENANTS: json(z.array(z.string().min(1))).default([]),
  /**
   * Where each tenant's people sign in (its application's `signInUrl`, else its managed login page), for the links
   * in the welcome and reset mails. A tenant not named here gets mails without a link.
   */
  SIGN_IN_URLS: json(z.record(z.string().min(1), z.url())).default({}),
});
export type TriggerEnvironment = z.infer<typeof TriggerEnvironmentSchema>;

type Input<S extends z.ZodObject> = z.input<S>;
/** What a CDK construct must set for a function with `schema`: every variable, as a string; those with defaults may be left out. */
export type EnvironmentVariables<S extends z.ZodObject> = {
  [K in keyof Input<S> as undefined extends Input<S>[K] ? never : K]: string;
} & { [K in keyof Input<S> as undefined extends Input<S>[K] ? K : never]?: string };

/** Parses the environment at cold start, so a missing or bad variable fails the start, not a request. */
export function readEnvironment<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid function environment: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
