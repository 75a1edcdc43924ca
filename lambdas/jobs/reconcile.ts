// The scheduled reconciler: repairs drift between each tenant's Cognito pool and its profiles, and reports it.
import { randomUUID } from 'node:crypto';
import { ApiEnvironmentSchema, readEnvironment, toTenant } from '#adapters/environment.ts';
import { logger } from '#adapters/logger.ts';
import { createDeps } from '#adapters/wiring.ts';
import { type ReconcileReport, reconcileTenant } from '#services/reconcile.ts';

const env = readEnvironment(ApiEnvironmentSchema);
const deps = createDeps(env);

/** Longer than any operation runs between its Cognito step and its profile write. */
const DEFAULT_GRACE_MS = 15 * 60_000;

export async function handler(event: { graceMs?: number } = {}): Promise<ReconcileReport[]> {
  const graceMs = event.graceMs ?? DEFAULT_GRACE_MS;
  const requestId = `reconcile-${randomUUID()}`;
  const reports: ReconcileReport[] = [];
  for (const tenant of env.TENANTS) {
    const report = await reconcileTenant(deps, toTenant(tenant), { graceMs, requestId });
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
