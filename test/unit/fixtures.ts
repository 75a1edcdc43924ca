// Builders for unit tests: tenants as a deployed stack configures them, users, API Gateway events.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { TenantEntry } from '#adapters/environment.ts';
import type { User } from '#domain/user.ts';
import { idToken } from '#test/support/tokens.ts';

export const UNIT_TENANTS: TenantEntry[] = [
  {
    id: 'acme',
    name: 'Acme Field Services',
    userPoolId: 'us-east-1_AcmeUnit1',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AcmeUnit1',
    clientIds: ['acmeclient'],
  },
  {
    id: 'globex',
    name: 'Globex Utilities',
    userPoolId: 'us-east-1_GlobexUnit1',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_GlobexUnit1',
    clientIds: ['globexclient'],
  },
];
export const [ACME, GLOBEX] = UNIT_TENANTS as [TenantEntry, TenantEntry];

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
    roles: [{ role: 'Administrator' }],
    ...overrides,
  });
}

/** An ID token of `user` from `tenant`'s pool. */
export function tokenOf(user: User, tenant: TenantEntry = ACME): string {
  return idToken({
    iss: tenant.issuer,
    aud: tenant.clientIds[0] as string,
    sub: user.cognitoSub as string,
    'custom:userId': user.id,
  });
}

export function anEvent(request: {
  method: string;
  path: string;
  resource?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  token?: string;
}): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  const query = request.query;
  return {
    resource: request.resource ?? request.path,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: request.pathParameters ?? null,
    stageVariables: null,
    body:
      request.body === undefined
        ? null
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body),
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() } as APIGatewayProxyEvent['requestContext'],
  };
}

export const context = { awsRequestId: 'unit-request', functionName: 'unit' } as Context;
