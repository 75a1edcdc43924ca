// The per-route access map: complete for the route table, and what an Idempotency-Key adds.
import { describe, expect, it } from 'vitest';
import { ROUTES } from '#api/routes.ts';
import { loadTenantsConfig, type TenantConfig } from '#config/tenants.ts';
import { IDEMPOTENCY, ROUTE_ACCESS, routeAccess } from '#lib/access.ts';
import { checkEnvironmentSize } from '#lib/stateless-stack.ts';
import { SHIPPED_TENANTS_FILE, THREE_TENANTS_FILE } from './gatehouse.ts';

describe('route access', () => {
  it('has an entry for every route of the route table, and none for a route that is gone', () => {
    expect(Object.keys(routeAccess(ROUTES, ROUTE_ACCESS)).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it('refuses a route added to the table without an entry', () => {
    const routes = { ...ROUTES, exportUsers: { headers: {} } };
    expect(() => routeAccess(routes, ROUTE_ACCESS)).toThrow(
      /Routes without an entry in ROUTE_ACCESS.*exportUsers/,
    );
  });

  it('refuses an entry whose route was removed', () => {
    expect(() => routeAccess(ROUTES, { ...ROUTE_ACCESS, renameTenant: {} })).toThrow(
      /entries for no route: renameTenant/,
    );
  });

  it('adds the idempotency record’s actions to a route that takes an Idempotency-Key, and only then', () => {
    const access = routeAccess(
      { keyed: { headers: { idempotencyKey: true } }, plain: {} },
      {
        keyed: { tables: { HISTORY_TABLE: ['PutItem'] } },
        plain: { tables: { HISTORY_TABLE: ['PutItem'] } },
      },
    );
    expect(access.keyed.tables).toEqual({ HISTORY_TABLE: ['PutItem'], ...IDEMPOTENCY.tables });
    expect(access.plain.tables).toEqual({ HISTORY_TABLE: ['PutItem'] });
  });
});

describe('tenants configuration', () => {
  it('keeps the shipped tenants.json valid for the offline runtime and the CDK app', () => {
    expect(loadTenantsConfig(SHIPPED_TENANTS_FILE).tenants.map((t) => t.id)).toEqual(['acme', 'globex']);
  });

  it('has a three-tenant fixture using every deployment option', () => {
    const { tenants } = loadTenantsConfig(THREE_TENANTS_FILE);
    expect(tenants).toHaveLength(3);
    expect(new Set(tenants.map((t) => t.mfa))).toEqual(new Set(['off', 'optional', 'required']));
    expect(new Set(tenants.map((t) => t.sso?.type))).toEqual(new Set(['oidc', 'saml', undefined]));
  });
});

describe('API function environment', () => {
  const [template] = loadTenantsConfig(THREE_TENANTS_FILE).tenants;
  // Only the configuration counts: the size check stands in the longest pool and client ids there are.
  const tenants = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      config: { ...(template as TenantConfig), id: `tenant${i}`, name: `Tenant number ${i}` },
    })) as unknown as Parameters<typeof checkEnvironmentSize>[0];
  const env = { PROFILES_TABLE: 'p', HISTORY_TABLE: 'h', TENANTS: '[]' };

  it('fits ten tenants in Lambda’s 4 KB environment', () => {
    expect(() => checkEnvironmentSize(tenants(10), 'eu-west-1', env)).not.toThrow();
  });

  it('fails synth, naming the limit, when the tenants no longer fit', () => {
    expect(() => checkEnvironmentSize(tenants(11), 'eu-west-1', env)).toThrow(/Lambda allows 4096/);
  });
});
