// What every Cognito trigger starts with: its environment, its ports, and the tenant of an event's user.
import { readEnvironment, TriggerEnvironmentSchema } from '#adapters/environment.ts';
import { createStoreDeps } from '#adapters/wiring.ts';
import type { TenantSso } from '#domain/sign-in.ts';

export const env = readEnvironment(TriggerEnvironmentSchema);
// The stores only: a trigger's IAM role allows the tables and nothing else, so it holds no other port.
export const deps = createStoreDeps(env);

export interface TriggerTenant {
  id: string;
  name: string;
}

/**
 * The tenant named by the user's `custom:tenantId`: set by Gatehouse when it creates the login, never changed,
 * and not writable by app clients. Use cases that act on the user still prove it by the login's sub.
 */
export function tenantOf(attributes: Record<string, string | undefined>): TriggerTenant {
  const id = attributes['custom:tenantId'] ?? '';
  const name = env.TENANT_NAMES[id];
  if (!name) throw new Error('The user belongs to no configured tenant');
  return { id, name };
}

/** The tenant's single sign-on, if it has one. */
export function ssoOf(tenantId: string): TenantSso | undefined {
  return env.SSO_TENANTS[tenantId];
}

/**
 * The tenant whose identity provider a federated user name belongs to: Cognito names a federated user
 * `<provider>_<subject>`, and provider names are unique across the deployment's tenants. Undefined for a
 * pool's own users (their user name is the sub).
 */
export function federatedUser(
  userName: string,
): { tenant: TriggerTenant; sso: TenantSso; subject: string } | undefined {
  for (const [id, sso] of Object.entries(env.SSO_TENANTS)) {
    const prefix = `${sso.provider}_`;
    // Cognito may lower-case the provider part in a case-insensitive pool; the subject is kept as given.
    if (
      userName.length <= prefix.length ||
      userName.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()
    )
      continue;
    const name = env.TENANT_NAMES[id];
    if (!name) continue;
    return { tenant: { id, name }, sso, subject: userName.slice(prefix.length) };
  }
  return undefined;
}
