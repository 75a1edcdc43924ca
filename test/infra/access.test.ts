// The per-route access map: complete for the route table, and what an Idempotency-Key adds.
import { describe, expect, it } from 'vitest';
import { ROUTES } from '#api/routes.ts';
import { loadTenantsConfig } from '#config/tenants.ts';
import { IDEMPOTENCY, REGISTRY_READ, ROUTE_ACCESS, routeAccess } from '#lib/access.ts';
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
    expect(access.keyed.tables).toEqual({
      HISTORY_TABLE: ['PutItem'],
      ...REGISTRY_READ.tables,
      ...IDEMPOTENCY.tables,
    });
    expect(access.plain.tables).toEqual({ HISTORY_TABLE: ['PutItem'], ...REGISTRY_READ.tables });
  });

  it('lets every route read the tenant registry, and only read it', () => {
    for (const access of Object.values(routeAccess(ROUTES, ROUTE_ACCESS))) {
      expect(access.tables?.TENANTS_TABLE).toEqual(['GetItem']);
    }
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
