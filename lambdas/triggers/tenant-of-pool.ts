// Which tenant a Cognito trigger event belongs to: its user pool, never an attribute the user carries.
import type { TenantEntry } from '#adapters/environment.ts';

export function tenantOfPool(tenants: readonly TenantEntry[], userPoolId: string): TenantEntry {
  const tenant = tenants.find((t) => t.userPoolId === userPoolId);
  if (!tenant) throw new Error(`User pool ${userPoolId} belongs to no configured tenant`);
  return tenant;
}
