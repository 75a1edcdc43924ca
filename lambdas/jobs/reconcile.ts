// The scheduled reconciler: repairs drift between each tenant's Cognito pool and its profiles, and reports it.
import { randomUUID } from 'node:crypto';
import { ApiEnvironmentSchema, readEnvironment } from '#adapters/environment.ts';
import { logger } from '#adapters/logger.ts';
import { createDeps, createTenantRegistry } from '#adapters/wiring.ts';
import { type ReconcileReport, reconcileTenant } from '#services/reconcile.ts';
import { JOB_NEEDS } from './needs.ts';

const env = readEnvironment(ApiEnvironmentSchema);
// What it declares (lambdas/jobs/needs.ts): its Cognito client, and no store beyond the profiles.
const deps = createDeps(env, JOB_NEEDS.reconcile);
const registry = createTenantRegistry(env, env.TENANT_CACHE_SECONDS);

/** Longer than any operation runs between its Cognito step and its profile write. */
const DEFAULT_GRACE_MS = 15 * 60_000;

export async function handler(event: { graceMs?: number } = {}): Promise<ReconcileReport[]> {
  const graceMs = event.graceMs ?? DEFAULT_GRACE_MS;
  const requestId = `reconcile-${randomUUID()}`;
  const reports: ReconcileReport[] = [];
  // Retired tenants are left exactly as they were retired: their pools and data wait for a purge.
  const active = (await registry.list()).filter((tenant) => tenant.status === 'active');
  for (const tenant of active) {
    const report = await reconcileTenant(deps, tenant, { graceMs, requestId });
    const repaired =
      report.orphanLoginsDeleted.length +
      report.loginsDisabled.length +
      report.loginsEnabled.length +
      report.emailsCorrected.length +
      report.profilesWithoutLogin.length;
    // `drift` is what the alarm watches: anything repaired means something went wrong somewhere.
    logger.info('Reconciled', { ...report, drift: repaired, failed: report.failures.length });
    reports.push(report);
  }
  return reports;
}
