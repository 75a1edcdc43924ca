// Cognito's password policy check and temporary-password generator, which cognito-local lacks.
import { randomInt } from 'node:crypto';
import { CognitoError } from 'cognito-local/lib/errors.js';
import type { UserPool } from 'cognito-local/lib/services/userPoolService.js';

import { type PasswordPolicy, PASSWORD_SYMBOLS as SYMBOLS } from '#domain/password-policy.ts';

export type { PasswordPolicy };

const CLASSES = {
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  lower: 'abcdefghijkmnopqrstuvwxyz',
  digit: '23456789',
  // A subset that survives mail clients, HTML and copy-paste unharmed.
  symbol: '!#$%*+-=?@^_',
};

/** Cognito's message for the first rule the password breaks, or undefined when it conforms. */
export function passwordPolicyViolation(password: string, policy: PasswordPolicy): string | undefined {
  const rule = brokenRule(password, policy);
  return rule === undefined ? undefined : `Password does not conform to policy: ${rule}`;
}

function brokenRule(password: string, policy: PasswordPolicy): string | undefined {
  if ([...password].length < policy.minimumLength) return 'Password not long enough';
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) return 'Password must have uppercase characters';
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) return 'Password must have lowercase characters';
  if (policy.requireNumbers && !/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (policy.requireSymbols && ![...password].some((c) => SYMBOLS.includes(c))) {
    return 'Password must have symbol characters';
  }
  return undefined;
}

/** A pool's policy, with Cognito's defaults for whatever the pool leaves unset. */
export function poolPasswordPolicy(pool: UserPool): PasswordPolicy {
  const p = pool.Policies?.PasswordPolicy;
  return {
    minimumLength: p?.MinimumLength ?? 8,
    requireLowercase: p?.RequireLowercase ?? true,
    requireUppercase: p?.RequireUppercase ?? true,
    requireNumbers: p?.RequireNumbers ?? true,
    requireSymbols: p?.RequireSymbols ?? true,
    temporaryPasswordValidityDays: p?.TemporaryPasswordValidityDays ?? 7,
  };
}

/** Throws Cognito's InvalidPasswordException for a password the pool's policy refuses. */
export function checkNewPassword(pool: UserPool, password: unknown): void {
  if (typeof password !== 'string') return; // cognito-local reports the missing parameter
  const violation = passwordPolicyViolation(password, poolPasswordPolicy(pool));
  if (violation) throw new CognitoError('InvalidPasswordException', violation);
}

/** A random password that satisfies the policy, as Cognito generates for AdminCreateUser. */
export function generateTemporaryPassword(policy: PasswordPolicy): string {
  const length = Math.max(policy.minimumLength, 12);
  // One of every class whatever the policy, so the password also passes a stricter policy set later.
  const chars = [CLASSES.upper, CLASSES.lower, CLASSES.digit, CLASSES.symbol].map(pick);
  const all = CLASSES.upper + CLASSES.lower + CLASSES.digit + CLASSES.symbol;
  while (chars.length < length) chars.push(pick(all));
  // Fisher-Yates, so the class characters are not always in front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)] as string;
}
