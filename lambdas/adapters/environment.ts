// The functions' environment: one zod schema, checked at start-up and typing the CDK functions' environment.
import * as z from '#domain/zod.ts';
import { CognitoBudgetSchema } from './cognito-pace.ts';

const json = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'must be JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );

const STORE_TABLES = {
  PROFILES_TABLE: z.string().check(z.minLength(3)),
  HISTORY_TABLE: z.string().check(z.minLength(3)),
  /** The tenant registry (lambdas/adapters/dynamo-tenant-registry.ts): tenants are data, never environment. */
  TENANTS_TABLE: z.string().check(z.minLength(3)),
};

const TABLES = {
  ...STORE_TABLES,
  /** Bulk jobs and imports, their work and outcomes, and the shared Cognito pace's counters (dynamo-job-store.ts). */
  JOBS_TABLE: z.string().check(z.minLength(3)),
};
export type TableNames = { [K in keyof typeof TABLES]: string };
/** The tables the Cognito triggers use: no jobs. */
export type StoreTableNames = { [K in keyof typeof STORE_TABLES]: string };

/** How long a function instance trusts a registry read (seconds); offline shortens it. */
const TENANT_CACHE_SECONDS = z.optional(z.coerce.number().check(z.int()).check(z.gte(0)).check(z.lte(300)));

/**
 * The API functions and the jobs: the tables only. Nothing about tenants: the token's issuer names the tenant
 * through the registry, so the environment does not grow with the tenants.
 */
export const ApiEnvironmentSchema = z.object({
  ...TABLES,
  TENANT_CACHE_SECONDS,
  /** The admin console's origin, allowed to call the API from the browser (CORS); absent: no browser origin is. */
  CONSOLE_ORIGIN: z.optional(z.url()),
  /** Paginated routes only: the Secrets Manager secret (ARN or name) holding the page cursors' keys. */
  CURSOR_KEYS_SECRET: z.optional(z.string().check(z.minLength(1))),
  /** Offline only, instead of the secret: a file with the same JSON (under `.local/`). */
  CURSOR_KEYS_FILE: z.optional(z.string().check(z.minLength(1))),
});
export type ApiEnvironment = z.infer<typeof ApiEnvironmentSchema>;

/**
 * The job worker: what the API functions know, and its share of Cognito's quotas (calls a second per quota
 * category, shared by every instance: see cognito-pace.ts) and how many items it works on at once per job size
 * class (see job-worker.ts).
 */
// Made in a function called as pure, so only the job worker's bundle keeps it (and the Cognito budget's schema).
export const JobWorkerEnvironmentSchema = /* @__PURE__ */ jobWorkerEnvironmentSchema();
function jobWorkerEnvironmentSchema() {
  return z.extend(ApiEnvironmentSchema, {
    COGNITO_BUDGET: z._default(json(CognitoBudgetSchema), CognitoBudgetSchema.parse({})),
    JOB_LANES: z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(64)), 8),
    /** How long a stopped worker's item stays untouchable before another run takes it over. */
    JOB_ITEM_LEASE_MS: z._default(
      z.coerce.number().check(z.int()).check(z.gte(100)).check(z.lte(900_000)),
      60_000,
    ),
  });
}
export type JobWorkerEnvironment = z.infer<typeof JobWorkerEnvironmentSchema>;

/**
 * The Cognito triggers: the tables only. They take the tenant from the user's immutable `custom:tenantId`,
 * read it from the registry and check that the event's pool is that tenant's.
 */
export const TriggerEnvironmentSchema = /* @__PURE__ */ z.object({ ...STORE_TABLES, TENANT_CACHE_SECONDS });
export type TriggerEnvironment = z.infer<typeof TriggerEnvironmentSchema>;

/** The deploy-time writer of registry records (the tenant stacks' custom resource): the registry only. */
export const RegistryWriterEnvironmentSchema = /* @__PURE__ */ z.object({
  TENANTS_TABLE: STORE_TABLES.TENANTS_TABLE,
});

type Input<S extends z.ZodMiniObject> = z.input<S>;
/** What a CDK construct must set for a function with `schema`: every variable, as a string; those with defaults may be left out. */
export type EnvironmentVariables<S extends z.ZodMiniObject> = {
  [K in keyof Input<S> as undefined extends Input<S>[K] ? never : K]: string;
} & { [K in keyof Input<S> as undefined extends Input<S>[K] ? K : never]?: string };

/** Parses the environment at cold start, so a missing or bad variable fails the start, not a request. */
export function readEnvironment<S extends z.ZodMiniObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid function environment: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
