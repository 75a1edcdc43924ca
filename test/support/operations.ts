// The operations whose AWS calls are counted (test/integration/call-counts.test.ts) and measured (bench/):
// the main success path of every route and trigger, and the variants whose calls differ. Each one brings the
// offline backend into the state it starts from, through the API as a client would, and builds the event its
// function receives; the function then runs in-process, against the same emulators, as a warm instance.
import { randomUUID } from 'node:crypto';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { RESPONSES } from '#api/route-responses.ts';
import { handlerFile, ROUTES, type RouteId } from '#api/routes.ts';
import { SCIM_HANDLER_FILE, SCIM_ROUTES, type ScimRouteId } from '#api/scim-routes.ts';
import { TRIGGERS, type TriggerName } from '#lib/access.ts';
import type { Environment } from '#local/runtime.ts';
import { anEvent, context } from './events.ts';
import { activeUser, adminToken, api, cognitoClient, newProfile, type Tenant } from './offline.ts';

/** A route's function, a trigger, or the SCIM function serving one of its routes. */
export type FunctionTarget = { route: RouteId } | { trigger: TriggerName } | { scim: ScimRouteId };

export interface Operation {
  /** A route's or trigger's own id names its main success path; a variant adds what differs, in brackets. */
  name: string;
  target: FunctionTarget;
  /** Makes the state the operation starts from and answers the event its function receives. */
  prepare(ctx: OperationContext): Promise<unknown>;
  /** The status a route answers on this path: by default one of its success statuses in the route table. */
  status?: number;
}

export interface OperationContext {
  env: Environment;
  /** The tenant every operation acts in, and its seeded administrator's ID token. */
  tenant: Tenant;
  admin: string;
  /** A second tenant whose only user is its administrator: what reads a whole tenant reads a known one. */
  quietTenant: Tenant;
  quietAdmin: string;
}

export async function operationContext(env: Environment): Promise<OperationContext> {
  const [tenant, quietTenant] = env.tenants as [Tenant, Tenant];
  return {
    env,
    tenant,
    admin: await adminToken(env, tenant),
    quietTenant,
    quietAdmin: await adminToken(env, quietTenant),
  };
}

/** The handler module of a function, relative to the repository root: what CDK bundles for it. */
export function entryOf(target: FunctionTarget): string {
  if ('scim' in target) return `lambdas/api/handlers/${SCIM_HANDLER_FILE}`;
  return 'route' in target
    ? `lambdas/api/handlers/${handlerFile(target.route)}`
    : TRIGGERS[target.trigger].entry;
}

type Handler = (event: unknown, lambdaContext: typeof context) => Promise<unknown>;

export async function handlerOf(target: FunctionTarget): Promise<Handler> {
  const module = (await import(new URL(`../../${entryOf(target)}`, import.meta.url).href)) as {
    handler: Handler;
  };
  return module.handler;
}

/** Runs the operation's function on its event; throws unless it answered as the operation expects. */
export async function invoke(op: Operation, event: unknown): Promise<unknown> {
  const handler = await handlerOf(op.target);
  const result = await handler(event, context);
  if ('route' in op.target || 'scim' in op.target) {
    const { statusCode, body } = result as APIGatewayProxyResult;
    const expected = op.status
      ? [op.status]
      : 'scim' in op.target
        ? [SCIM_ROUTES[op.target.scim].status]
        : Object.keys(RESPONSES[op.target.route]).map(Number);
    if (!expected.includes(statusCode)) throw new Error(`${op.name} answered ${statusCode}: ${body}`);
  }
  return result;
}

/**
 * The operation's event, with the functions warm: the role catalogue each instance keeps for 30 seconds was
 * just read, as under steady traffic. (A cold or expired catalogue costs one Query more, once per instance,
 * tenant and 30 seconds.)
 */
export async function prepareOperation(ctx: OperationContext, op: Operation): Promise<unknown> {
  const event = await op.prepare(ctx);
  for (const [tenant, token] of [
    [ctx.tenant, ctx.admin],
    [ctx.quietTenant, ctx.quietAdmin],
  ] as const) {
    await runRoute(ctx, 'getMe', { token });
    const claims = claimsOf(token);
    const admin = { id: claims['custom:userId'] ?? '', email: claims.email ?? '', sub: claims.sub ?? '' };
    const warm = await handlerOf({ trigger: 'preTokenGeneration' });
    await warm(cognitoEvent(ctx, tenant, 'TokenGeneration_Authentication', admin), context);
  }
  return event;
}

/** The claims of an ID token (read, not verified: the tokens here come from the offline Cognito). */
export function claimsOf(token: string): Record<string, string> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, string>;
}

/** A route's handler run here, by the administrator unless `token` says otherwise; throws unless it succeeded. */
export async function runRoute(
  ctx: OperationContext,
  route: RouteId,
  request: Parameters<typeof routeEvent>[2] = {},
): Promise<Record<string, unknown>> {
  const handler = await handlerOf({ route });
  const response = (await handler(routeEvent(ctx, route, request), context)) as APIGatewayProxyResult;
  if (response.statusCode >= 300)
    throw new Error(`${route} answered ${response.statusCode}: ${response.body}`);
  return response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {};
}

// ── Users in the state an operation starts from, made through the API ──────────────────────────────────

interface Someone {
  id: string;
  email: string;
}

async function call(ctx: OperationContext, method: string, path: string, body?: unknown) {
  const response = await api(ctx.env, method, path, {
    token: ctx.admin,
    ...(body === undefined ? {} : { body }),
  });
  if (response.status >= 300) {
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

async function inactive(ctx: OperationContext): Promise<Someone> {
  const profile = newProfile();
  const user = await call(ctx, 'POST', '/users', profile);
  return { id: user.id as string, email: profile.email };
}

async function invited(ctx: OperationContext): Promise<Someone> {
  const profile = newProfile();
  const user = await call(ctx, 'POST', '/users', { ...profile, activate: true });
  return { id: user.id as string, email: profile.email };
}

/** Invited, then through the first sign-in with a password of their own. */
async function active(ctx: OperationContext): Promise<Someone> {
  const user = await activeUser(ctx.env, ctx.tenant, ctx.admin);
  return { id: user.id, email: user.email };
}

async function then(ctx: OperationContext, user: Someone, action: string): Promise<Someone> {
  await call(ctx, 'POST', `/users/${user.id}/${action}`);
  return user;
}

async function versionOf(ctx: OperationContext, user: Someone): Promise<number> {
  return (await call(ctx, 'GET', `/users/${user.id}`)).version as number;
}

async function subOf(ctx: OperationContext, user: Someone): Promise<string> {
  const login = await cognitoClient(ctx.env).send(
    new AdminGetUserCommand({ UserPoolId: ctx.tenant.userPoolId, Username: user.email }),
  );
  const sub = login.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
  if (!sub) throw new Error(`${user.email} has no login`);
  return sub;
}

const CSV = { 'Content-Type': 'text/csv' };
const importFile = () =>
  [
    'firstName,lastName,email',
    ...[1, 2].map((i) => `Ada,Import,ada.${randomUUID().slice(0, 8)}.${i}@example.com`),
  ].join('\r\n');

/** A job of the tenant's, queued: an import of two people, started through the API. */
async function aJob(ctx: OperationContext): Promise<string> {
  const started = await api(ctx.env, 'POST', '/users/import', {
    token: ctx.admin,
    rawBody: importFile(),
    headers: { 'content-type': 'text/csv' },
  });
  if (started.status !== 202) throw new Error(`import answered ${started.status}`);
  return started.body.id as string;
}

// ── Events ─────────────────────────────────────────────────────────────────────────────────────────────

/** The API Gateway event of `route`, as the route table defines it, sent by the tenant's administrator. */
function routeEvent(
  ctx: OperationContext,
  route: RouteId,
  request: {
    userId?: string;
    roleId?: string;
    tokenId?: string;
    clientId?: string;
    jobId?: string;
    body?: unknown;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    token?: string;
  } = {},
): APIGatewayProxyEvent {
  const { method, path } = ROUTES[route];
  const { userId, roleId, tokenId, clientId, jobId, token = ctx.admin, ...rest } = request;
  const parameters = {
    ...(userId ? { userId } : {}),
    ...(roleId ? { roleId } : {}),
    ...(tokenId ? { tokenId } : {}),
    ...(clientId ? { clientId } : {}),
    ...(jobId ? { jobId } : {}),
  };
  return anEvent({
    method,
    path: path.replace(/\{(\w+)\}/g, (_, name: string) => parameters[name as keyof typeof parameters] ?? ''),
    resource: path,
    ...(Object.keys(parameters).length > 0 ? { pathParameters: parameters } : {}),
    token,
    ...rest,
  });
}

const scimTokens = new WeakMap<OperationContext, string>();
const scimAccessTokens = new WeakMap<OperationContext, string>();

/**
 * An access token of a SCIM OAuth client of the tenant, from its pool's token endpoint, used once beforehand
 * (its last use recorded, its issuer's keys fetched) as by a directory in the middle of a sync.
 */
async function scimAccessToken(ctx: OperationContext): Promise<string> {
  let token = scimAccessTokens.get(ctx);
  if (!token) {
    const client = await runRoute(ctx, 'createScimClient', { body: { name: 'Counted OAuth directory' } });
    const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
    const response = await fetch(ctx.tenant.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'gatehouse/scim' }),
    });
    const granted = (await response.json()) as { access_token?: string };
    if (!granted.access_token) throw new Error(`token endpoint answered ${JSON.stringify(granted)}`);
    token = granted.access_token;
    scimAccessTokens.set(ctx, token);
    const scim = await handlerOf({ scim: 'scimServiceProviderConfig' });
    await scim(anEvent({ method: 'GET', path: SCIM_ROUTES.scimServiceProviderConfig.path, token }), context);
  }
  return token;
}

/**
 * A SCIM request of the tenant's directory, with a SCIM token made (and used once, so its last use is
 * recorded) beforehand: a directory's requests come in bursts, and only the first of five minutes writes it.
 */
async function scimEvent(
  ctx: OperationContext,
  route: ScimRouteId,
  request: { id?: string; body?: unknown; query?: Record<string, string>; oauth?: boolean } = {},
): Promise<APIGatewayProxyEvent> {
  const { oauth, ...scimRequest } = request;
  let token = oauth ? await scimAccessToken(ctx) : scimTokens.get(ctx);
  if (!token) {
    token = (await runRoute(ctx, 'createScimToken', { body: { name: 'Counted directory' } })).token as string;
    scimTokens.set(ctx, token);
    const scim = await handlerOf({ scim: 'scimServiceProviderConfig' });
    await scim(anEvent({ method: 'GET', path: SCIM_ROUTES.scimServiceProviderConfig.path, token }), context);
  }
  const { method, path } = SCIM_ROUTES[route];
  const { id, ...rest } = scimRequest;
  return anEvent({
    method,
    path: id ? path.replace('{id}', id) : path,
    resource: path,
    ...(id ? { pathParameters: { id } } : {}),
    token,
    ...rest,
  });
}

/** A Cognito trigger's event for a login of `tenant`, as Cognito sends it. */
function cognitoEvent(
  ctx: OperationContext,
  tenant: Tenant,
  triggerSource: string,
  login: Someone & { sub: string },
) {
  return {
    version: '1',
    triggerSource,
    region: ctx.env.region,
    userPoolId: tenant.userPoolId,
    userName: login.sub,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: tenant.clientId },
    request: {
      userAttributes: {
        sub: login.sub,
        email: login.email,
        email_verified: 'true',
        'custom:tenantId': tenant.id,
        'custom:userId': login.id,
      },
      ...(triggerSource.startsWith('CustomMessage')
        ? { codeParameter: '{####}', usernameParameter: login.sub }
        : {}),
      ...(triggerSource.startsWith('PostAuthentication') ? { newDeviceUsed: false } : {}),
      ...(triggerSource.startsWith('TokenGeneration')
        ? { groupConfiguration: { groupsToOverride: [] } }
        : {}),
    },
    response: {},
  };
}

/** The trigger's event for a user of the operations' tenant. */
async function triggerEvent(ctx: OperationContext, triggerSource: string, user: Someone) {
  return cognitoEvent(ctx, ctx.tenant, triggerSource, { ...user, sub: await subOf(ctx, user) });
}

/** A role of the tenant's catalogue, created here so this process's catalogue knows it at once. */
async function newRole(ctx: OperationContext, token = ctx.admin): Promise<{ id: string; version: number }> {
  const role = await runRoute(ctx, 'createRole', { token, body: roleDefinition() });
  return { id: role.id as string, version: role.version as number };
}

const roleDefinition = () => ({
  name: `Bench role ${randomUUID().slice(0, 8)}`,
  permissions: ['users.read'],
  scope: 'tenant',
});

const PASSWORD = 'Chosen-By-Admin-1';

// ── The operations ─────────────────────────────────────────────────────────────────────────────────────

export const OPERATIONS: Operation[] = [
  {
    name: 'createUser',
    target: { route: 'createUser' },
    prepare: async (ctx) => routeEvent(ctx, 'createUser', { body: { ...newProfile(), activate: true } }),
  },
  {
    name: 'createUser (inactive)',
    target: { route: 'createUser' },
    prepare: async (ctx) => routeEvent(ctx, 'createUser', { body: newProfile() }),
  },
  {
    name: 'createUser (Idempotency-Key)',
    target: { route: 'createUser' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'createUser', {
        body: { ...newProfile(), activate: true },
        headers: { 'Idempotency-Key': randomUUID() },
      }),
  },
  {
    name: 'createUser (invalid body: 400)',
    target: { route: 'createUser' },
    status: 400,
    prepare: async (ctx) => routeEvent(ctx, 'createUser', { body: { ...newProfile(), email: 'nobody' } }),
  },
  {
    name: 'listUsers',
    target: { route: 'listUsers' },
    prepare: async (ctx) => routeEvent(ctx, 'listUsers', { token: ctx.quietAdmin }),
  },
  {
    name: 'getUser',
    target: { route: 'getUser' },
    prepare: async (ctx) => routeEvent(ctx, 'getUser', { userId: (await invited(ctx)).id }),
  },
  {
    name: 'activateUser',
    target: { route: 'activateUser' },
    prepare: async (ctx) => routeEvent(ctx, 'activateUser', { userId: (await inactive(ctx)).id }),
  },
  {
    name: 'activateUser (enable again)',
    target: { route: 'activateUser' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'activateUser', { userId: (await then(ctx, await active(ctx), 'deactivate')).id }),
  },
  {
    name: 'activateUser (enable again, never signed in)',
    target: { route: 'activateUser' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'activateUser', { userId: (await then(ctx, await invited(ctx), 'deactivate')).id }),
  },
  {
    name: 'editUser',
    target: { route: 'editUser' },
    prepare: async (ctx) => {
      const user = await invited(ctx);
      return routeEvent(ctx, 'editUser', {
        userId: user.id,
        body: { title: 'Field engineer' },
        headers: { 'If-Match': `"${await versionOf(ctx, user)}"` },
      });
    },
  },
  {
    name: 'editUser (new email)',
    target: { route: 'editUser' },
    prepare: async (ctx) => {
      const user = await invited(ctx);
      return routeEvent(ctx, 'editUser', {
        userId: user.id,
        body: { email: newProfile().email },
        headers: { 'If-Match': `"${await versionOf(ctx, user)}"` },
      });
    },
  },
  {
    name: 'deactivateUser',
    target: { route: 'deactivateUser' },
    prepare: async (ctx) => routeEvent(ctx, 'deactivateUser', { userId: (await active(ctx)).id }),
  },
  {
    name: 'archiveUser',
    target: { route: 'archiveUser' },
    prepare: async (ctx) => routeEvent(ctx, 'archiveUser', { userId: (await active(ctx)).id }),
  },
  {
    name: 'archiveUser (no login)',
    target: { route: 'archiveUser' },
    prepare: async (ctx) => routeEvent(ctx, 'archiveUser', { userId: (await inactive(ctx)).id }),
  },
  {
    name: 'restoreUser',
    target: { route: 'restoreUser' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'restoreUser', { userId: (await then(ctx, await inactive(ctx), 'archive')).id }),
  },
  {
    name: 'deleteUser',
    target: { route: 'deleteUser' },
    prepare: async (ctx) => {
      const user = await active(ctx);
      return routeEvent(ctx, 'deleteUser', { userId: user.id, body: { confirmEmail: user.email } });
    },
  },
  {
    name: 'resetPassword',
    target: { route: 'resetPassword' },
    prepare: async (ctx) => routeEvent(ctx, 'resetPassword', { userId: (await active(ctx)).id }),
  },
  {
    name: 'resetPassword (invited)',
    target: { route: 'resetPassword' },
    prepare: async (ctx) => routeEvent(ctx, 'resetPassword', { userId: (await invited(ctx)).id }),
  },
  {
    name: 'resendInvitation',
    target: { route: 'resendInvitation' },
    prepare: async (ctx) => routeEvent(ctx, 'resendInvitation', { userId: (await invited(ctx)).id }),
  },
  {
    name: 'bulkUsers',
    target: { route: 'bulkUsers' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'bulkUsers', {
        body: { action: 'deactivate', userIds: [(await active(ctx)).id, (await active(ctx)).id] },
      }),
  },
  {
    name: 'bulkUsers (Idempotency-Key)',
    target: { route: 'bulkUsers' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'bulkUsers', {
        body: { action: 'deactivate', userIds: [(await active(ctx)).id, (await active(ctx)).id] },
        headers: { 'Idempotency-Key': randomUUID() },
      }),
  },
  {
    name: 'bulkUsers (job: 101 users)',
    target: { route: 'bulkUsers' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'bulkUsers', {
        body: { action: 'archive', userIds: Array.from({ length: 101 }, () => randomUUID()) },
      }),
    status: 202,
  },
  {
    name: 'importUsers',
    target: { route: 'importUsers' },
    prepare: async (ctx) => routeEvent(ctx, 'importUsers', { body: importFile(), headers: CSV }),
    status: 202,
  },
  {
    name: 'importUsers (dryRun)',
    target: { route: 'importUsers' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'importUsers', { body: importFile(), headers: CSV, query: { dryRun: 'true' } }),
    status: 200,
  },
  {
    name: 'listJobs',
    target: { route: 'listJobs' },
    prepare: async (ctx) => routeEvent(ctx, 'listJobs'),
  },
  {
    name: 'getJob',
    target: { route: 'getJob' },
    prepare: async (ctx) => routeEvent(ctx, 'getJob', { jobId: await aJob(ctx) }),
  },
  {
    name: 'jobResults',
    target: { route: 'jobResults' },
    prepare: async (ctx) => routeEvent(ctx, 'jobResults', { jobId: await aJob(ctx) }),
  },
  {
    name: 'cancelJob',
    target: { route: 'cancelJob' },
    prepare: async (ctx) => routeEvent(ctx, 'cancelJob', { jobId: await aJob(ctx) }),
  },
  {
    name: 'emailUser',
    target: { route: 'emailUser' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'emailUser', {
        userId: (await invited(ctx)).id,
        body: { subject: 'Your badge', text: 'Your badge is ready at reception.' },
      }),
  },
  {
    name: 'setPassword',
    target: { route: 'setPassword' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'setPassword', {
        userId: (await active(ctx)).id,
        body: { password: PASSWORD, confirmPassword: PASSWORD },
      }),
  },
  {
    name: 'userHistory',
    target: { route: 'userHistory' },
    prepare: async (ctx) => routeEvent(ctx, 'userHistory', { userId: (await invited(ctx)).id }),
  },
  {
    name: 'tenantHistory',
    target: { route: 'tenantHistory' },
    prepare: async (ctx) => routeEvent(ctx, 'tenantHistory'),
  },
  {
    name: 'getMe',
    target: { route: 'getMe' },
    prepare: async (ctx) => routeEvent(ctx, 'getMe'),
  },
  {
    name: 'listRoles',
    target: { route: 'listRoles' },
    prepare: async (ctx) => routeEvent(ctx, 'listRoles'),
  },
  {
    name: 'createRole',
    target: { route: 'createRole' },
    prepare: async (ctx) => routeEvent(ctx, 'createRole', { body: roleDefinition() }),
  },
  {
    name: 'editRole',
    target: { route: 'editRole' },
    prepare: async (ctx) => {
      const role = await newRole(ctx);
      return routeEvent(ctx, 'editRole', {
        roleId: role.id,
        body: { description: 'Reads the users.' },
        headers: { 'If-Match': `"${role.version}"` },
      });
    },
  },
  {
    name: 'deleteRole',
    target: { route: 'deleteRole' },
    // Whether anyone holds the role is read from the tenant's users: the quiet tenant's are known.
    prepare: async (ctx) =>
      routeEvent(ctx, 'deleteRole', {
        roleId: (await newRole(ctx, ctx.quietAdmin)).id,
        token: ctx.quietAdmin,
      }),
  },
  {
    name: 'getLicences',
    target: { route: 'getLicences' },
    prepare: async (ctx) => routeEvent(ctx, 'getLicences'),
  },
  {
    name: 'createScimToken',
    target: { route: 'createScimToken' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'createScimToken', { body: { name: 'Counted' }, token: ctx.quietAdmin }),
  },
  {
    name: 'listScimTokens',
    target: { route: 'listScimTokens' },
    prepare: async (ctx) => routeEvent(ctx, 'listScimTokens'),
  },
  {
    name: 'revokeScimToken',
    target: { route: 'revokeScimToken' },
    prepare: async (ctx) => {
      const created = await runRoute(ctx, 'createScimToken', {
        body: { name: 'To revoke' },
        token: ctx.quietAdmin,
      });
      return routeEvent(ctx, 'revokeScimToken', { tokenId: created.id as string, token: ctx.quietAdmin });
    },
  },
  {
    name: 'createScimClient',
    target: { route: 'createScimClient' },
    prepare: async (ctx) =>
      routeEvent(ctx, 'createScimClient', { body: { name: 'Counted' }, token: ctx.quietAdmin }),
  },
  {
    name: 'listScimClients',
    target: { route: 'listScimClients' },
    prepare: async (ctx) => routeEvent(ctx, 'listScimClients'),
  },
  {
    name: 'revokeScimClient',
    target: { route: 'revokeScimClient' },
    prepare: async (ctx) => {
      const created = await runRoute(ctx, 'createScimClient', {
        body: { name: 'To revoke' },
        token: ctx.quietAdmin,
      });
      return routeEvent(ctx, 'revokeScimClient', { clientId: created.id as string, token: ctx.quietAdmin });
    },
  },
  // SCIM: the token's read comes first (GetItem), then what the API's own use case reads and writes.
  {
    name: 'scimGetUser',
    target: { scim: 'scimGetUser' },
    prepare: async (ctx) => scimEvent(ctx, 'scimGetUser', { id: (await inactive(ctx)).id }),
  },
  {
    name: 'scimGetUser (OAuth client)',
    target: { scim: 'scimGetUser' },
    prepare: async (ctx) => scimEvent(ctx, 'scimGetUser', { id: (await inactive(ctx)).id, oauth: true }),
  },
  {
    name: 'scimListUsers (userName eq)',
    target: { scim: 'scimListUsers' },
    prepare: async (ctx) =>
      scimEvent(ctx, 'scimListUsers', { query: { filter: `userName eq "${(await inactive(ctx)).email}"` } }),
  },
  {
    name: 'scimCreateUser',
    target: { scim: 'scimCreateUser' },
    prepare: async (ctx) => {
      const { firstName, lastName, email } = newProfile();
      return scimEvent(ctx, 'scimCreateUser', {
        body: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: email,
          name: { givenName: firstName, familyName: lastName },
          active: true,
        },
      });
    },
  },
  {
    name: 'scimPatchUser (active false)',
    target: { scim: 'scimPatchUser' },
    prepare: async (ctx) =>
      scimEvent(ctx, 'scimPatchUser', {
        id: (await invited(ctx)).id,
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
        },
      }),
  },
  {
    name: 'customMessage',
    target: { trigger: 'customMessage' },
    prepare: async (ctx) => triggerEvent(ctx, 'CustomMessage_AdminCreateUser', await invited(ctx)),
  },
  {
    name: 'postAuthentication',
    target: { trigger: 'postAuthentication' },
    prepare: async (ctx) => triggerEvent(ctx, 'PostAuthentication_Authentication', await active(ctx)),
  },
  {
    name: 'preAuthentication',
    target: { trigger: 'preAuthentication' },
    prepare: async (ctx) => triggerEvent(ctx, 'PreAuthentication_Authentication', await active(ctx)),
  },
  {
    name: 'preTokenGeneration',
    target: { trigger: 'preTokenGeneration' },
    prepare: async (ctx) => triggerEvent(ctx, 'TokenGeneration_Authentication', await active(ctx)),
  },
  {
    name: 'preSignUp',
    target: { trigger: 'preSignUp' },
    // A first sign-in through the tenant's identity provider, by an invited user: linked to their login.
    prepare: async (ctx) => {
      const user = await invited(ctx);
      const provider = ctx.tenant.sso?.name ?? 'none';
      return {
        version: '1',
        triggerSource: 'PreSignUp_ExternalProvider',
        region: ctx.env.region,
        userPoolId: ctx.tenant.userPoolId,
        userName: `${provider}_${randomUUID()}`,
        callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: ctx.tenant.clientId },
        request: {
          userAttributes: { email: user.email, 'cognito:email_alias': '', 'cognito:phone_number_alias': '' },
          validationData: {},
        },
        response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
      };
    },
  },
  {
    name: 'postAuthentication (first sign-in)',
    target: { trigger: 'postAuthentication' },
    // Cognito calls it once the new password is set; the profile still says invited until it has run.
    prepare: async (ctx) => triggerEvent(ctx, 'PostAuthentication_Authentication', await invited(ctx)),
  },
];

/** Every function with an operation of its own name, so a new route or trigger cannot go uncounted. */
export function functionIds(): { id: string; target: FunctionTarget }[] {
  return [
    ...(Object.keys(ROUTES) as RouteId[]).map((route) => ({ id: route, target: { route } })),
    ...(Object.keys(TRIGGERS) as TriggerName[]).map((trigger) => ({ id: trigger, target: { trigger } })),
  ];
}
