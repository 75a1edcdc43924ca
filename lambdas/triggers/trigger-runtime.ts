// What every Cognito trigger starts with: its environment, its ports, and the tenant of an event's user.
import { readEnvironment, TriggerEnvironmentSchema } from '#adapters/environment.ts';
import { createStoreDeps } from '#adapters/wiring.ts';

export const env = readEnvironment(TriggerEnvironmentSchema);
// The stores only: a trigger's IAM role allows the tables and nothing else, so it holds no other port.
export const deps = createStoreDeps(env);

export interface TriggerTenant {
  id: string;
  name: string;
}

/**
 * The tenant named by the user's `custom:tenantId`: set by Gatehouse when it creates the login, immutable,
 * and not writable by app clients. Use cases that act on the user still prove it by the login's sub.
 */
export function tenantOf(attributes: Record<string, string | undefined>): TriggerTenant {
  const id = attributes['custom:tenantId'] ?? '';
  const name = env.TENANT_NAMES[id];
  if (!name) throw new Error('The user belongs to no configured tenant');
  return { id, name };
}
