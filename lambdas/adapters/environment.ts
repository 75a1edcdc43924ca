// The functions' environment: one zod schema, checked at start-up and typing the CDK functions' environment.
import { z } from 'zod';

/** A tenant as the functions know it: its pool, the issuer of its tokens and its app clients. */
export const TenantEntrySchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  userPoolId: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/),
  issuer: z.url(),
  clientIds: z.array(z.string().min(1)).min(1),
});
export type TenantEntry = z.infer<typeof TenantEntrySchema>;

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

export const FunctionEnvironmentSchema = z.object({
  PROFILES_TABLE: z.string().min(3),
  HISTORY_TABLE: z.string().min(3),
  TENANTS: json(z.array(TenantEntrySchema).min(1)),
});
export type FunctionEnvironment = z.infer<typeof FunctionEnvironmentSchema>;
/** What the CDK construct must set: every variable, as a string. */
export type FunctionEnvironmentVariables = Record<keyof z.input<typeof FunctionEnvironmentSchema>, string>;

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): FunctionEnvironment {
  const parsed = FunctionEnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid function environment: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
