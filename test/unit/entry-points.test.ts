// Each entry point gets only the ports it uses, and the tenant in the one shape use cases take.
import { describe, expect, it } from 'vitest';
import { toTenant } from '#domain/tenant.ts';
import { ACME } from '#test/unit/fixtures.ts';
import { TRIGGER_STORES, type TriggerName } from '#triggers/needs.ts';
import { triggerDeps } from '#triggers/trigger-runtime.ts';

describe('entry points', () => {
  it('gives the Cognito triggers the stores only: no Cognito, SES or idempotency port their IAM refuses', () => {
    // Every trigger but the custom-message one, which builds no store (it words a mail from the registry's record).
    for (const trigger of (Object.keys(TRIGGER_STORES) as TriggerName[]).filter(
      (t) => t !== 'customMessage',
    )) {
      expect(Object.keys(triggerDeps(trigger)).sort()).toEqual(['newId', 'now', 'roles', 'users']);
    }
  });

  it('makes a Tenant of a registry record with its teams, areas and clients flattened', () => {
    const tenant = toTenant(ACME);
    expect(tenant).toMatchObject({
      id: 'acme',
      teams: ['north', 'south'],
      areas: ['oslo'],
      clients: ['contoso'],
    });
    expect(tenant).not.toHaveProperty('organisation');
  });
});
