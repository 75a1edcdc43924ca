// A tenant's password policy, as Cognito enforces it, checked before a password is sent to Cognito.
import * as z from './zod.ts';

/** Cognito's own bounds: a pool's minimum length is 6 to 99, temporary passwords live 1 to 365 days. */
export const PasswordPolicySchema = z.strictObject({
  minimumLength: z.int().check(z.gte(6), z.lte(99)),
  requireLowercase: z.boolean(),
  requireUppercase: z.boolean(),
  requireNumbers: z.boolean(),
  requireSymbols: z.boolean(),
  temporaryPasswordValidityDays: z.int().check(z.gte(1), z.lte(365)),
});
export type PasswordPolicy = z.infer<typeof PasswordPolicySchema>;

/** The special characters Cognito counts as symbols (its documented list, plus the space). */
export const PASSWORD_SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ';

/** Every rule of the policy the password breaks, in words a person can act on; empty when it conforms. */
export function brokenPasswordRules(password: string, policy: PasswordPolicy): string[] {
  const broken: string[] = [];
  if ([...password].length < policy.minimumLength)
    broken.push(`must be at least ${policy.minimumLength} characters`);
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) broken.push('must have an uppercase letter');
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) broken.push('must have a lowercase letter');
  if (policy.requireNumbers && !/[0-9]/.test(password)) broken.push('must have a digit');
  if (policy.requireSymbols && ![...password].some((c) => PASSWORD_SYMBOLS.includes(c))) {
    broken.push('must have a symbol');
  }
  return broken;
}
