// Every route × every kind of caller → the status their authorisation must give, generated from the route table.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ROUTES, type RouteDefinition, type RouteId } from '#api/routes.ts';
import { BUILT_IN_ROLES } from '#domain/roles.ts';
import { activeUser, adminToken, api, newProfile } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];

type Caller = 'none' | 'endUser' | 'teamAdminInside' | 'teamAdminOutside' | 'admin' | 'otherTenantAdmin';
const CALLERS: Caller[] = [
  'none',
  'endUser',
  'teamAdminInside',
  'teamAdminOutside',
  'admin',
  'otherTenantAdmin',
];
const TEAM_ADMIN = new Set(BUILT_IN_ROLES.find((r) => r.id === 'team-administrator')?.permissions ?? []);

interface Target {
  userId: string;
  email: string;
  version: number;
  roleId: string;
  jobId: string;
  /** A SCIM token of the tenant, for the route that revokes one. */
  tokenId: string;
  /** A SCIM OAuth client of the tenant, for the route that revokes one. */
  clientId: string;
}

/** A valid request of each route, for a given target: a new route without one fails type-checking. */
const REQUESTS: Record<
  RouteId,
  (t: Target) => { body?: unknown; rawBody?: string; headers?: Record<string, string>; query?: string }
> = {
  createUser: () => ({ body: newProfile({ teams: ['north'] }) }),
  listUsers: () => ({ query: '?limit=5' }),
  getUser: () => ({}),
  activateUser: () => ({}),
  editUser: (t) => ({ body: { title: 'Lead' }, headers: { 'if-match': `"${t.version}"` } }),
  deactivateUser: () => ({}),
  archiveUser: () => ({}),
  restoreUser: () => ({}),
  deleteUser: (t) => ({ body: { confirmEmail: t.email } }),
  resetPassword: () => ({}),
  resendInvitation: () => ({}),
  setPassword: () => ({ body: { password: 'Matrix-Password-1', confirmPassword: 'Matrix-Password-1' } }),
  // Restoring a user who is not archived fails for that user alone: the request itself is authorised.
  bulkUsers: (t) => ({ body: { action: 'restore', userIds: [t.userId] } }),
  emailUser: () => ({ body: { subject: 'Matrix', text: 'Hello from the authorisation matrix.' } }),
  userHistory: () => ({}),
  tenantHistory: () => ({}),
  getMe: () => ({}),
  listRoles: () => ({}),
  createRole: () => ({
    body: { name: `Matrix ${randomUUID().slice(0, 8)}`, permissions: ['x.y'], scope: 'tenant' },
  }),
  editRole: () => ({ body: { description: 'edited' }, headers: { 'if-match': '"1"' } }),
  deleteRole: () => ({}),
  getLicences: () => ({}),
  importUsers: () => ({
    rawBody: 'firstName,lastName,email\nAda,Matrix,not-an-email\n',
    headers: { 'content-type': 'text/csv' },
    query: '?dryRun=true',
  }),
  listJobs: () => ({}),
  getJob: () => ({}),
  jobResults: () => ({}),
  cancelJob: () => ({}),
  createScimToken: () => ({ body: { name: 'Matrix' } }),
  listScimTokens: () => ({}),
  revokeScimToken: () => ({}),
  createScimClient: () => ({ body: { name: 'Matrix' } }),
  listScimClients: () => ({}),
  revokeScimClient: () => ({}),
};

/** The status authorisation must give; undefined: allowed, so anything but 401, 403 and 404. */
function expected(route: RouteDefinition, caller: Caller): number | undefined {
  const targetsUser = route.path.includes('{userId}');
  const targetsRole = ['{roleId}', '{tokenId}', '{clientId}'].some((p) => route.path.includes(p));
  // A job is its creator's (the tenant's administrator here): others see it only with a tenant-wide reach.
  const targetsJob = route.path.includes('{jobId}');
  switch (caller) {
    case 'none':
      return 401;
    case 'endUser':
      return route.permission === null ? undefined : 403;
    case 'admin':
      return undefined;
    case 'otherTenantAdmin':
      // Their own tenant's lists answer; another tenant's user or role is absent.
      return targetsUser || targetsRole || targetsJob ? 404 : undefined;
    case 'teamAdminInside':
    case 'teamAdminOutside': {
      if (route.permission === null) return undefined;
      if (!TEAM_ADMIN.has(route.permission)) return 403;
      if (route.path === '/history') return 403; // the whole tenant's history needs a tenant-wide grant
      if (targetsJob) return 404;
      return targetsUser && caller === 'teamAdminOutside' ? 404 : undefined;
    }
  }
}

const tokens = {} as Record<
  Exclude<Caller, 'none' | 'teamAdminInside' | 'teamAdminOutside'> | 'teamAdmin',
  string
>;
let adminTok: string;

beforeAll(async () => {
  adminTok = await adminToken(env, acme);
  tokens.admin = adminTok;
  tokens.otherTenantAdmin = await adminToken(env, globex);
  tokens.endUser = (await activeUser(env, acme, adminTok, { roles: [{ role: 'technician' }] })).idToken;
  tokens.teamAdmin = (
    await activeUser(env, acme, adminTok, {
      teams: ['north'],
      roles: [{ role: 'team-administrator', teams: ['north'] }],
    })
  ).idToken;
});

const route = (id: RouteId) => ROUTES[id] as RouteDefinition;

/** A fresh user (inactive, so every lifecycle route has somewhere to go) and a fresh custom role. */
async function target(team: string, routeId: RouteId): Promise<Target> {
  const profile = newProfile({ teams: [team] });
  // Routes on a signed-in user need one; the rest start from a user who has no login yet.
  const signedIn = ['deactivateUser', 'resetPassword', 'setPassword'].includes(routeId);
  const user = signedIn
    ? await activeUser(env, acme, adminTok, { ...profile })
    : {
        id: (await api(env, 'POST', '/users', { token: adminTok, body: profile })).body.id as string,
        email: profile.email,
      };
  const read = await api(env, 'GET', `/users/${user.id}`, { token: adminTok });
  if (routeId === 'restoreUser') await api(env, 'POST', `/users/${user.id}/archive`, { token: adminTok });
  if (routeId === 'resendInvitation')
    await api(env, 'POST', `/users/${user.id}/activate`, { token: adminTok });
  const role = await api(env, 'POST', '/roles', {
    token: adminTok,
    body: { name: `Target ${randomUUID().slice(0, 8)}`, permissions: ['x.y'], scope: 'tenant' },
  });
  // A job of the administrator's: an import of one row that fails validation, so it runs nothing.
  const job = route(routeId).path.includes('{jobId}')
    ? await api(env, 'POST', '/users/import', {
        token: adminTok,
        rawBody: 'firstName,lastName,email\nAda,Target,not-an-email\n',
        headers: { 'content-type': 'text/csv' },
      })
    : undefined;
  // Only the route that revokes one makes a token: a tenant holds a bounded number of them.
  const token =
    routeId === 'revokeScimToken'
      ? await api(env, 'POST', '/scim-tokens', { token: adminTok, body: { name: 'Matrix target' } })
      : undefined;
  const client =
    routeId === 'revokeScimClient'
      ? await api(env, 'POST', '/scim-clients', { token: adminTok, body: { name: 'Matrix target' } })
      : undefined;
  return {
    clientId: (client?.body.id as string | undefined) ?? 'nobodysclient1',
    userId: user.id,
    email: user.email,
    version: read.body.version as number,
    roleId: role.body.id as string,
    jobId: (job?.body.id as string | undefined) ?? '20261201T000000000Z-00000000',
    tokenId: (token?.body.id as string | undefined) ?? randomUUID(),
  };
}

describe('authorisation of every route for every kind of caller', () => {
  const cases = (Object.keys(ROUTES) as RouteId[]).flatMap((id) => CALLERS.map((caller) => ({ id, caller })));

  it.each(cases)('$id for $caller', async ({ id, caller }) => {
    const route = ROUTES[id] as RouteDefinition;
    const t = await target(caller === 'teamAdminOutside' ? 'south' : 'north', id);
    const request = REQUESTS[id](t);
    const path =
      route.path
        .replace('{userId}', t.userId)
        .replace('{roleId}', t.roleId)
        .replace('{tokenId}', t.tokenId)
        .replace('{clientId}', t.clientId)
        .replace('{jobId}', t.jobId) + (request.query ?? '');
    const token =
      caller === 'none'
        ? undefined
        : caller === 'teamAdminInside' || caller === 'teamAdminOutside'
          ? tokens.teamAdmin
          : tokens[caller];
    const response = await api(env, route.method, path, {
      ...(token ? { token } : {}),
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.rawBody === undefined ? {} : { rawBody: request.rawBody }),
      ...(request.headers ? { headers: request.headers } : {}),
    });
    const want = expected(route, caller);
    if (want === undefined) {
      expect([401, 403, 404], `${response.status} ${JSON.stringify(response.body)}`).not.toContain(
        response.status,
      );
      expect(response.status).toBeLessThan(500);
    } else {
      expect(response.status, JSON.stringify(response.body)).toBe(want);
    }
  });
});
