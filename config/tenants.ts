// The tenants configuration: its schema and its one loader, read by the CDK app and the offline runtime.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const PasswordPolicySchema = z.strictObject({
  minimumLength: z.number().int().min(8).max(99),
  requireLowercase: z.boolean(),
  requireUppercase: z.boolean(),
  requireNumbers: z.boolean(),
  requireSymbols: z.boolean(),
  temporaryPasswordValidityDays: z.number().int().min(1).max(365),
});
export type PasswordPolicy = z.infer<typeof PasswordPolicySchema>;

export const TenantConfigSchema = z.strictObject({
  /** Stable tenant id: lower-case letters and digits, it prefixes every key of the tenant's data. */
  id: z.string().regex(/^[a-z][a-z0-9]{1,30}$/),
  name: z.string().min(1).max(100),
  mailFrom: z.email(),
  passwordPolicy: PasswordPolicySchema,
  mfa: z.enum(['off', 'optional', 'required']),
  features: z.array(z.string().min(1)).default([]),
});
export type TenantConfig = z.infer<typeof TenantConfigSchema>;

export const TenantsConfigSchema = z
  .strictObject({
    region: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/),
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
