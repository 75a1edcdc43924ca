// Builders for unit tests: tenants as a deployed stack configures them, users, API Gateway events.
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { accessOf } from '#domain/access.ts';
import type { Permission } from '#domain/permissions.ts';
import { BUILT_IN_ROLES } from '#domain/roles.ts';
import { type TenantRecord, toTenant } from '#domain/tenant.ts';
import type { User } from '#domain/user.ts';
import type { Caller } from '#services/ports.ts';
import { idToken } from '#test/support/tokens.ts';

const POLICY = {
  minimumLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: false,
  temporaryPasswordValidityDays: 7,
};

/** The registry records unit tests run with (test/unit/setup.ts answers the registry's reads with them). */
export const UNIT_TENANTS: TenantRecord[] = [
  {
    id: 'acme',
    name: 'Acme Field Services',
    status: 'active',
    userPoolId: 'us-east-1_AcmeUnit1',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AcmeUnit1',
    clientIds: ['acmeclient'],
    passwordPolicy: POLICY,
    mailFrom: 'no-reply@acme.example.com',
    features: ['technician-users'],
    organisation: { teams: ['north', 'south'], areas: ['oslo'], clients: ['contoso'] },
    licences: { engineer: 2 },
    licenceRequired: false,
    // Single sign-on by OIDC, optional.
    sso: { provider: 'AcmeID', mode: 'optional', domains: ['acme.example.com'] },
  },
  {
    id: 'globex',
    name: 'Globex Utilities',
    status: 'active',
    userPoolId: 'us-east-1_GlobexUnit1',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_GlobexUnit1',
    clientIds: ['globexclient'],
    passwordPolicy: POLICY,
    mailFrom: 'no-reply@globex.example.com',
    // globex names its application; acme's mails link to its managed login page, read from Cognito.
    signInUrl: 'https://app.globex.example.com/sign-in',
    features: ['technician-users'],
    organisation: { teams: ['north', 'south'], areas: ['oslo'], clients: ['contoso'] },
    licences: { engineer: 2 },
    licenceRequired: true,
    // Single sign-on by SAML, required for its domain.
    sso: { provider: 'GlobexSAML', mode: 'required', domains: ['globex.example.com'] },
  },
  {
    id: 'umbrella',
    name: 'Umbrella Retired',
    status: 'retired',
    userPoolId: 'us-east-1_UmbrellaUnit1',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_UmbrellaUnit1',
    clientIds: ['umbrellaclient'],
    passwordPolicy: POLICY,
    mailFrom: 'no-reply@umbrella.example.com',
    features: [],
    organisation: {},
    licences: {},
    licenceRequired: false,
  },
];
export const [ACME, GLOBEX, RETIRED] = UNIT_TENANTS as [TenantRecord, TenantRecord, TenantRecord];

export function aUser(overrides: Partial<User> = {}): User {
  const at = '2026-01-01T00:00:00.000Z';
  const system = { id: 'system', name: 'Test' };
  return {
    id: randomUUID(),
    firstName: 'Grace',
    lastName: 'Hopper',
    email: `grace.${randomUUID().slice(0, 8)}@example.com`,
    roles: [],
    userType: 'internal',
    status: 'inactive',
    createdAt: at,
    createdBy: system,
    updatedAt: at,
    updatedBy: system,
    version: 1,
    ...overrides,
  };
}

export function anAdmin(overrides: Partial<User> = {}): User {
  return aUser({
    status: 'active',
    cognitoSub: randomUUID(),
    roles: [{ role: 'administrator' }],
    ...overrides,
  });
}

/**
 * A caller of ACME holding one built-in role (a team administrator's team is north), reaching the users its
 * `permission` reaches (by default the lifecycle's), as the route of that permission would authorise them.
 */
export function aCaller(
  role = 'administrator',
  options: { permission?: Permission; idempotency?: Caller['idempotency'] } = {},
): Caller {
  const catalogue = new Map(BUILT_IN_ROLES.map((r) => [r.id, r]));
  const access = accessOf(
    [{ role, ...(role === 'team-administrator' ? { teams: ['north'] } : {}) }],
    catalogue,
  );
  return {
    tenant: toTenant(ACME),
    actor: { id: 'admin', name: 'Admin' },
    requestId: 'req',
    access,
    reach: access.reach(options.permission ?? 'users.lifecycle'),
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
  };
}

/** An ID token of `user` from `tenant`'s pool. */
export function tokenOf(user: User, tenant: TenantRecord = ACME): string {
  return idToken({
    iss: tenant.issuer,
    aud: tenant.clientIds[0] as string,
    sub: user.cognitoSub as string,
    'custom:userId': user.id,
  });
}

export { anEvent, context } from '#test/support/events.ts';

/** The tenant's role catalogue as DynamoDB holds it once seeded: the marker and the built-in roles. */
export function catalogueItems(tenantId = 'acme') {
  return [
    { pk: tenantId, sk: 'ROLE' },
    ...BUILT_IN_ROLES.map((role) => ({ pk: tenantId, sk: `ROLE#${role.id}`, ...role })),
  ];
}

/** Answers the catalogue query of a mocked DynamoDB as a seeded tenant's table would. */
export function mockCatalogue(dynamo: AwsClientStub<DynamoDBDocumentClient>) {
  dynamo
    .on(QueryCommand, { ExpressionAttributeValues: { ':tenant': 'acme', ':role': 'ROLE' } })
    .resolves({ Items: catalogueItems('acme') });
}

/** The items of a transaction that are not search-index items, in order: what a change is about. */
export function changeItems<
  T extends {
    Put?: { Item?: Record<string, unknown> };
    Delete?: { Key?: Record<string, unknown> };
    Update?: { Key?: Record<string, unknown> };
  },
>(items: readonly T[]): T[] {
  const indexed = (pk: unknown) => typeof pk === 'string' && /#(LIVE|F#|W#|V#)/.test(pk);
  return items.filter(
    (i) => !indexed(i.Put?.Item?.pk) && !indexed(i.Delete?.Key?.pk) && !indexed(i.Update?.Key?.pk),
  );
}
