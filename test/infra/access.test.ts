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
    // Roles' organisation and licences: set by some tenants, left at their defaults by one.
    expect(tenants.map((t) => Object.keys(t.organisation).length > 0)).toContain(true);
    expect(tenants.map((t) => Object.keys(t.licences).length > 0)).toContain(true);
    expect(new Set(tenants.map((t) => t.licenceRequired))).toEqual(new Set([true, false]));
    expect(tenants.find((t) => t.id === 'initech')).toMatchObject({
      features: [],
      organisation: {},
      licences: {},
      licenceRequired: false,
    });
  });
});

describe('API function environment', () => {
  const fixture = loadTenantsConfig(THREE_TENANTS_FILE).tenants;
  const like = (id: string) => fixture.find((t) => t.id === id) as TenantConfig;
  // Only the configuration counts: the size check stands in the longest pool and client ids there are.
  const tenants = (n: number, template: TenantConfig) =>
    Array.from({ length: n }, (_, i) => ({
      config: { ...template, id: `tenant${i}`, name: `Tenant number ${i}` },
    })) as unknown as Parameters<typeof checkEnvironmentSize>[0];
  const env = { PROFILES_TABLE: 'p', HISTORY_TABLE: 'h', TENANTS: '[]' };
  const fits = (n: number, template: TenantConfig) => {
    try {
      checkEnvironmentSize(tenants(n, template), 'eu-west-1', env);
      return true;
    } catch {
      return false;
    }
  };
  /** How many tenants configured like `template` fit: what README "Adding a tenant later" states. */
  const capacity = (template: TenantConfig) => {
    let n = 0;
    while (fits(n + 1, template)) n += 1;
    return n;
  };

  it('fits nine tenants at the defaults (no features, organisation or licences) in Lambda’s 4 KB environment', () => {
    expect(capacity(like('initech'))).toBe(9);
  });

  it('fits fewer tenants that list features, teams, areas, clients and licences: six like the fixture’s acme', () => {
    expect(like('acme')).toMatchObject({
      features: ['technician-users'],
      organisation: {
        teams: ['north', 'south'],
        areas: ['bergen', 'oslo'],
        clients: ['contoso', 'fabrikam'],
      },
      licences: { engineer: 25, planner: 10, manager: 5 },
    });
    expect(capacity(like('acme'))).toBe(6);
  });

  it('fails synth, naming the limit, when the tenants no longer fit', () => {
    expect(() => checkEnvironmentSize(tenants(10, like('initech')), 'eu-west-1', env)).toThrow(
      /would need \d+ bytes for 10 tenants; Lambda allows 4096/,
    );
    expect(() => checkEnvironmentSize(tenants(7, like('acme')), 'eu-west-1', env)).toThrow(
      /for 7 tenants; Lambda allows 4096/,
    );
  });
});
