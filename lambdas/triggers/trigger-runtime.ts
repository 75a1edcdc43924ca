// What every Cognito trigger starts with: its environment, its ports, and the tenant of an event's user.
import { readEnvironment, TriggerEnvironmentSchema } from '#adapters/environment.ts';
import { createStoreDeps, createTenantRegistry } from '#adapters/wiring.ts';
import type { Tenant } from '#services/ports.ts';

export const env = readEnvironment(TriggerEnvironmentSchema);
// The stores only: a trigger's IAM role allows the tables and nothing else, so it holds no other port.
export const deps = createStoreDeps(env);
export const tenants = createTenantRegistry(env, env.TENANT_CACHE_SECONDS);

/** The user's pool is not the registered pool of the tenant they claim, or the tenant is unknown. */
export class UnknownTenant extends Error {}

/**
 * The tenant named by the user's `custom:tenantId` (set by Gatehouse when it creates the login, immutable,
 * not writable by app clients), read from the registry and held to the event's pool: a pool can only
 * speak for its own tenant. Retired tenants are returned as such; each trigger decides what that means.
 */
export async function tenantOf(event: {
  userPoolId: string;
  request: { userAttributes: Record<string, string | undefined> };
}): Promise<Tenant> {
  const id = event.request.userAttributes['custom:tenantId'] ?? '';
  const tenant = id ? await tenants.byId(id) : undefined;
  if (!tenant || tenant.userPoolId !== event.userPoolId) {
    throw new UnknownTenant('The user belongs to no registered tenant');
  }
  return tenant;
}

/** What Cognito shows a person whose organisation was retired (it adds a full stop of its own). */
export const RETIRED_MESSAGE = 'Your organisation no longer has access. Please contact your administrator';
