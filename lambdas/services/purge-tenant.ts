// Purging a retired tenant: its user pool, every item of its data, then its registry record. A platform operation
// (`npm run tenants -- purge`), never a request's: it scans the data tables for the tenant's keys.
import type { Tenant } from '#domain/tenant.ts';

/** The registry as a purge needs it: read fresh (never from a cache), and the record removed. */
export interface PurgeRegistry {
  byId(id: string): Promise<Tenant | undefined>;
  /** Removes the record under its id and under its issuer, together; false when there was none. */
  remove(id: string): Promise<boolean>;
}

export interface UserPoolRemover {
  /** Deletes the pool (its domain and deletion protection first); `absent` when it is gone already. */
  remove(userPoolId: string): Promise<'deleted' | 'absent'>;
}

export interface TenantDataSweeper {
  /**
   * Deletes every item of the tenant in every data table, whatever its kind: by the tenant's keys (partition key
   * the tenant's id or starting `<id>#`) and by the `tenantId` an item elsewhere carries. Answers how many.
   */
  sweep(tenantId: string): Promise<number>;
}

export interface PurgePorts {
  registry: PurgeRegistry;
  pools: UserPoolRemover;
  data: TenantDataSweeper;
}

export type PurgeRefusal = 'unknown' | 'not-retired';

/** A purge refused before anything was deleted. */
export class PurgeRefused extends Error {
  constructor(
    readonly reason: PurgeRefusal,
    readonly tenantId: string,
  ) {
    super(
      reason === 'unknown'
        ? `No tenant ${tenantId} in the registry (never registered, or purged already).`
        : `Tenant ${tenantId} is active: retire it first (npm run tenants -- retire ${tenantId}).`,
    );
    this.name = 'PurgeRefused';
  }
}

export interface PurgeReport {
  tenant: Pick<Tenant, 'id' | 'name' | 'userPoolId'>;
  pool: 'deleted' | 'absent';
  /** Items deleted from the data tables by this run (a resumed purge counts only what was left). */
  items: number;
}

/**
 * Only a retired tenant is purged. Each step finds its work again when run twice, and the registry record that
 * names the tenant and its pool goes last: a purge that stops half-way is finished by running it again.
 */
export async function purgeTenant(ports: PurgePorts, tenantId: string): Promise<PurgeReport> {
  const tenant = await ports.registry.byId(tenantId);
  if (!tenant) throw new PurgeRefused('unknown', tenantId);
  if (tenant.status !== 'retired') throw new PurgeRefused('not-retired', tenantId);
  // The pool first: once it is gone nobody can sign in as the tenant, even if its record were reinstated.
  const pool = await ports.pools.remove(tenant.userPoolId);
  const items = await ports.data.sweep(tenant.id);
  await ports.registry.remove(tenant.id);
  return { tenant: { id: tenant.id, name: tenant.name, userPoolId: tenant.userPoolId }, pool, items };
}
