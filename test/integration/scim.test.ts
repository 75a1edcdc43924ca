// SCIM 2.0 through HTTP against the offline backend: the request sequences Entra ID's and Okta's provisioning
// send (as their public documentation shows them), tokens, isolation, and bad input — each a SCIM error.
//   Entra ID: learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
//             ("User operations", "Group operations": the request and response examples)
//   Okta:     developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20 ("SCIM User operations",
//             "SCIM Group operations")
import { randomUUID } from 'node:crypto';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminToken, api, cognitoClient, mailTo } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

// biome-ignore lint/suspicious/noExplicitAny: SCIM answers are read by shape; each assertion says what it expects.
type Body = Record<string, any>;
interface ScimResponse {
  status: number;
  headers: Headers;
  body: Body;
}

let admin: string;
let acmeToken: { id: string; token: string };
let globexToken: { id: string; token: string };

async function newToken(tenant: typeof acme, name: string) {
  const created = await api(env, 'POST', '/scim-tokens', {
    token: await adminToken(env, tenant),
    body: { name },
  });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, token: created.body.token as string };
}

beforeAll(async () => {
  admin = await adminToken(env, acme);
  acmeToken = await newToken(acme, `Directory ${randomUUID().slice(0, 6)}`);
  globexToken = await newToken(globex, 'Globex directory');
});

afterAll(async () => {
  // A tenant holds a bounded number of tokens; other files' tests make theirs too.
  await api(env, 'DELETE', `/scim-tokens/${acmeToken.id}`, { token: admin });
  await api(env, 'DELETE', `/scim-tokens/${globexToken.id}`, { token: await adminToken(env, globex) });
});

/** A SCIM request as a directory sends it: application/scim+json, the tenant's token as bearer. */
async function scim(
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<ScimResponse> {
  const token = options.token === undefined ? acmeToken.token : options.token;
  const response = await fetch(`${env.apiUrl}/scim/v2${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined || options.raw !== undefined
        ? { 'content-type': 'application/scim+json' }
        : {}),
      ...options.headers,
    },
    ...(options.raw !== undefined ? { body: options.raw } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  // Never a 5xx, whatever was sent; every answer with a body is SCIM's JSON.
  expect(response.status, text).toBeLessThan(500);
  if (text) expect(response.headers.get('content-type')).toBe('application/scim+json');
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Body) : {} };
}

const filter = (f: string) => `filter=${encodeURIComponent(f)}`;
const login = (email: string) =>
  cognitoClient(env).send(new AdminGetUserCommand({ UserPoolId: acme.userPoolId, Username: email }));
const profile = async (id: string) => (await api(env, 'GET', `/users/${id}`, { token: admin })).body;

function expectScimError(response: ScimResponse, status: number, scimType?: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.schemas).toEqual([ERROR]);
  expect(response.body.status).toBe(String(status));
  if (scimType) expect(response.body.scimType).toBe(scimType);
  expect(typeof response.body.detail).toBe('string');
}

describe('Entra ID provisioning sequence', () => {
  it('creates, finds, patches, disables, groups and deletes a user as Entra ID does', async () => {
    const tag = randomUUID().slice(0, 8);
    const userName = `test_user_${tag}@testuser.example.com`;
    const externalId = randomUUID();

    // Is the user there already? Entra ID asks by userName first.
    const none = await scim('GET', `/Users?${filter(`userName eq "${userName}"`)}`);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [], startIndex: 1 });

    const created = await scim('POST', '/Users', {
      body: {
        schemas: [CORE, ENTERPRISE],
        externalId,
        userName,
        active: true,
        emails: [{ primary: true, type: 'work', value: userName }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      userName,
      externalId,
      active: true,
      name: { givenName: 'givenName' },
    });
    expect(created.headers.get('etag')).toBe(created.body.meta.version);
    expect(created.headers.get('location')).toBe(`${env.apiUrl}/scim/v2/Users/${id}`);
    // Active: a login exists, and Cognito mailed the welcome message.
    expect((await login(userName)).Enabled).toBe(true);
    await mailTo(env, userName, /Welcome/);

    const read = await scim('GET', `/Users/${id}`);
    expect(read.body).toMatchObject({ id, userName, externalId });
    for (const query of [
      `userName eq "${userName.toUpperCase()}"`,
      `externalId eq "${externalId}"`,
      `emails[type eq "work"].value eq "${userName}"`,
      `userName eq "${userName}" and active eq true`,
    ]) {
      const found = await scim('GET', `/Users?${filter(query)}`);
      expect(found.body.totalResults, query).toBe(1);
      expect(found.body.Resources[0].id, query).toBe(id);
    }

    // Attributes, the way Entra ID writes them: Replace with paths, the manager's id as a bare string.
    const manager = await scim('POST', '/Users', {
      body: {
        schemas: [CORE],
        userName: `manager_${tag}@testuser.example.com`,
        active: false,
        name: { familyName: 'Boss', givenName: 'Big' },
      },
    });
    const patched = await scim('PATCH', `/Users/${id}`, {
      body: {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
          { op: 'Replace', path: 'title', value: 'Engineer' },
          { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+47 912 34 567' },
          { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Field service' },
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.body.id },
          { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'E-123' },
        ],
      },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      name: { familyName: 'updatedFamilyName' },
      title: 'Engineer',
      phoneNumbers: [{ type: 'mobile', value: '+47 912 34 567' }],
      [ENTERPRISE]: {
        department: 'Field service',
        employeeNumber: 'E-123',
        manager: { value: manager.body.id },
      },
    });
    // The same profile the API serves.
    expect(await profile(id)).toMatchObject({
      lastName: 'updatedFamilyName',
      title: 'Engineer',
      mobilePhone: '+47 912 34 567',
      department: 'Field service',
      managerId: manager.body.id,
      employeeId: 'E-123',
      externalId,
    });

    // Disable: "False" as a string, as Entra ID sends it. Sign-in off, at Cognito too.
    const disabled = await scim('PATCH', `/Users/${id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
    });
    expect(disabled.body.active).toBe(false);
    expect((await profile(id)).status).toBe('inactive');
    expect((await login(userName)).Enabled).toBe(false);
    const inactive = await scim('GET', `/Users?${filter(`userName eq "${userName}" and active eq false`)}`);
    expect(inactive.body.totalResults).toBe(1);

    // Group membership: the group found by name, members excluded, then a member added and removed.
    const groups = await scim(
      'GET',
      `/Groups?excludedAttributes=members&${filter('displayName eq "Accountant"')}`,
    );
    expect(groups.body.totalResults).toBe(1);
    const group = groups.body.Resources[0];
    expect(group).toMatchObject({ id: 'accountant', displayName: 'Accountant' });
    expect(group.members).toBeUndefined();
    const added = await scim('PATCH', `/Groups/${group.id}`, {
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }],
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.members.map((m: Body) => m.value)).toContain(id);
    expect((await profile(id)).roles).toEqual([{ role: 'accountant' }]);
    const removed = await scim('PATCH', `/Groups/${group.id}`, {
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] }],
      },
    });
    expect(removed.status).toBe(200);
    expect((await profile(id)).roles).toEqual([]);

    // Every change is in the user's history, by the tenant's SCIM client.
    const history = await api(env, 'GET', `/users/${id}/history?limit=20`, { token: admin });
    const actions = (history.body.items as Body[]).map((e) => [e.action, e.actor.id]);
    expect(actions).toContainEqual(['user.created', `scim:${acmeToken.id}`]);
    expect(actions).toContainEqual(['user.deactivated', `scim:${acmeToken.id}`]);
    expect(actions.filter(([action]) => action === 'user.edited').length).toBeGreaterThanOrEqual(3);

    // Delete archives: gone for SCIM, kept (archived) for the tenant's administrators.
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expectScimError(await scim('GET', `/Users/${id}`), 404);
    expect((await scim('GET', `/Users?${filter(`userName eq "${userName}"`)}`)).body.totalResults).toBe(0);
    expect((await profile(id)).status).toBe('archived');

    // Provisioned again after a mistaken delete: the same user comes back, restored, with their history.
    const again = await scim('POST', '/Users', {
      body: {
        schemas: [CORE],
        userName,
        active: false,
        name: { familyName: 'Back', givenName: 'givenName' },
      },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body).toMatchObject({ id, active: false, name: { familyName: 'Back' } });
    expect((await profile(id)).status).toBe('inactive');
  });
});

describe('Okta provisioning sequence', () => {
  it('finds, creates, replaces, deactivates, reactivates and pushes group membership as Okta does', async () => {
    const tag = randomUUID().slice(0, 8);
    const userName = `okta.${tag}@okta.example.com`;
    const none = await scim('GET', `/Users?${filter(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    expect(none.body.totalResults).toBe(0);

    const created = await scim('POST', '/Users', {
      body: {
        schemas: [CORE],
        userName,
        name: { givenName: 'Oktavia', familyName: `User-${tag}` },
        emails: [{ primary: true, value: userName, type: 'work' }],
        displayName: `Oktavia User-${tag}`,
        locale: 'en-US',
        externalId: `00u${tag}`,
        groups: [],
        password: 'ignored-1-Password',
        active: true,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;

    const read = await scim('GET', `/Users/${id}`);
    // PUT: Okta sends the whole user back, changed.
    const replaced = await scim('PUT', `/Users/${id}`, {
      body: { ...read.body, name: { givenName: 'Oktavia', familyName: `Renamed-${tag}` }, title: 'Planner' },
      headers: { 'if-match': read.headers.get('etag') as string },
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body).toMatchObject({
      name: { familyName: `Renamed-${tag}` },
      title: 'Planner',
      active: true,
    });
    // A stale ETag loses: 412, nothing changed.
    const stale = await scim('PUT', `/Users/${id}`, {
      body: { ...read.body, title: 'Lost update' },
      headers: { 'if-match': read.headers.get('etag') as string },
    });
    expectScimError(stale, 412);

    // Deactivate: a value object without a path, active as a boolean.
    const off = await scim('PATCH', `/Users/${id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] },
    });
    expect(off.body.active).toBe(false);
    expect((await login(userName)).Enabled).toBe(false);
    const on = await scim('PATCH', `/Users/${id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] },
    });
    expect(on.body.active).toBe(true);
    expect((await login(userName)).Enabled).toBe(true);
    expect((await profile(id)).status).toBe('invited');

    // Group push: found by name, a member added, then removed by a value filter in the path.
    const groups = await scim(
      'GET',
      `/Groups?${filter('displayName eq "Accountant"')}&startIndex=1&count=100`,
    );
    const groupId = groups.body.Resources[0].id as string;
    const add = await scim('PATCH', `/Groups/${groupId}`, {
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: id, display: userName }] }],
      },
    });
    expect(add.status).toBe(200);
    expect((await scim('GET', `/Users/${id}`)).body.groups).toEqual([
      expect.objectContaining({ value: 'accountant' }),
    ]);
    const remove = await scim('PATCH', `/Groups/${groupId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] },
    });
    expect(remove.status).toBe(200);
    expect((await profile(id)).roles).toEqual([]);

    // Import: pages through every user with startIndex and count.
    const first = await scim('GET', '/Users?startIndex=1&count=2');
    expect(first.body.itemsPerPage).toBe(2);
    expect(first.body.totalResults).toBeGreaterThanOrEqual(3);
    const second = await scim('GET', '/Users?startIndex=3&count=2');
    expect(second.body.startIndex).toBe(3);
    const firstIds = first.body.Resources.map((u: Body) => u.id);
    for (const user of second.body.Resources) expect(firstIds).not.toContain(user.id);
  });

  it('gives a scoped role for the member’s own teams, and refuses one who has none', async () => {
    const tag = randomUUID().slice(0, 8);
    const withoutTeam = await scim('POST', '/Users', {
      body: {
        schemas: [CORE],
        userName: `noteam.${tag}@okta.example.com`,
        active: false,
        name: { givenName: 'No', familyName: 'Team' },
      },
    });
    const refused = await scim('PATCH', '/Groups/team-administrator', {
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: withoutTeam.body.id }] }],
      },
    });
    expectScimError(refused, 400, 'invalidValue');
    const teamUser = await api(env, 'POST', '/users', {
      token: admin,
      body: {
        firstName: 'On',
        lastName: `Team-${tag}`,
        email: `onteam.${tag}@okta.example.com`,
        teams: ['north'],
      },
    });
    const given = await scim('PATCH', '/Groups/team-administrator', {
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: teamUser.body.id }] }],
      },
    });
    expect(given.status, JSON.stringify(given.body)).toBe(200);
    expect((await profile(teamUser.body.id as string)).roles).toEqual([
      { role: 'team-administrator', teams: ['north'] },
    ]);
  });
});

describe('discovery', () => {
  it('describes the service, its resource types and schemas', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 50, maxPayloadSize: 102400 },
      etag: { supported: true },
    });
    const types = await scim('GET', '/ResourceTypes');
    expect(types.body.Resources.map((t: Body) => t.id)).toEqual(['User', 'Group']);
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.body.Resources.map((s: Body) => s.id)).toEqual([
      CORE,
      ENTERPRISE,
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    // Both ways of authenticating are described; sorting and bulk are said to be unsupported, as they are.
    expect(config.body.authenticationSchemes.map((a: Body) => a.type)).toEqual([
      'oauthbearertoken',
      'oauth2',
    ]);
    expect(config.body.sort).toEqual({ supported: false });
  });

  it('answers one resource type and one schema by id, and 404 for one it does not have', async () => {
    const user = await scim('GET', '/ResourceTypes/User');
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ id: 'User', endpoint: '/Users', schema: CORE });
    expect((await scim('GET', '/ResourceTypes/Group')).body.schema).toBe(
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    );
    const enterprise = await scim('GET', `/Schemas/${ENTERPRISE}`);
    expect(enterprise.status).toBe(200);
    expect(enterprise.body.id).toBe(ENTERPRISE);
    expect(enterprise.body.attributes.map((a: Body) => a.name)).toContain('department');
    // URNs compare without case.
    expect((await scim('GET', `/Schemas/${CORE.toUpperCase()}`)).body.id).toBe(CORE);
    expectScimError(await scim('GET', '/ResourceTypes/Device'), 404);
    expectScimError(await scim('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:Device'), 404);
  });

  it('searches users and groups with the query in the body (POST .search), as a list does', async () => {
    const userName = `searched.${randomUUID().slice(0, 8)}@example.com`;
    const created = await scim('POST', '/Users', {
      body: { schemas: [CORE], userName, active: false, name: { givenName: 'Sear', familyName: 'Ched' } },
    });
    expect(created.status).toBe(201);
    const found = await scim('POST', '/Users/.search', {
      body: {
        schemas: [SEARCH],
        filter: `userName eq "${userName}"`,
        attributes: ['userName'],
        startIndex: 1,
        count: 10,
      },
    });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(found.body.Resources[0]).toEqual({
      schemas: [CORE, ENTERPRISE],
      id: created.body.id,
      userName,
      meta: expect.any(Object),
    });
    const listed = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(listed.body.Resources[0].id).toBe(created.body.id);
    const groups = await scim('POST', '/Groups/.search', {
      body: { schemas: [SEARCH], filter: 'displayName eq "Technician"', excludedAttributes: ['members'] },
    });
    expect(groups.body.Resources.map((g: Body) => g.displayName)).toEqual(['Technician']);
    expect(groups.body.Resources[0].members).toBeUndefined();
    // The same refusals as a list's: a bad filter, a page too large, sorting, a wrong schema.
    expectScimError(
      await scim('POST', '/Users/.search', { body: { schemas: [SEARCH], filter: 'userName eq' } }),
      400,
      'invalidFilter',
    );
    expectScimError(await scim('POST', '/Users/.search', { body: { schemas: [SEARCH], count: 201 } }), 400);
    expectScimError(
      await scim('POST', '/Users/.search', { body: { schemas: [SEARCH], sortBy: 'userName' } }),
      400,
      'invalidSyntax',
    );
    expectScimError(await scim('POST', '/Users/.search', { body: { schemas: [CORE] } }), 400);
    // Another tenant's search finds nothing of this one's.
    const other = await scim('POST', '/Users/.search', {
      token: globexToken.token,
      body: { schemas: [SEARCH], filter: `userName eq "${userName}"` },
    });
    expect(other.body.totalResults).toBe(0);
  });
});

describe('bulk', () => {
  const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
  const newUser = (tag: string) => ({
    schemas: [CORE],
    userName: `bulk.${tag}.${randomUUID().slice(0, 8)}@example.com`,
    active: false,
    name: { givenName: 'Bulk', familyName: tag },
  });

  it('runs operations in order, a bulkId standing for a user made in the same request (even later)', async () => {
    const first = newUser('First');
    const second = newUser('Second');
    const response = await scim('POST', '/Bulk', {
      body: {
        schemas: [BULK],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'one', data: first },
          // Names a user the next operation makes: it waits for it.
          {
            method: 'PATCH',
            path: '/Groups/accountant',
            data: {
              schemas: [PATCH_OP],
              Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:two' }] }],
            },
          },
          { method: 'POST', path: '/Users', bulkId: 'two', data: second },
          {
            method: 'PATCH',
            path: '/Users/bulkId:one',
            data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Bulked' }] },
          },
        ],
      },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
    const ops: Body[] = response.body.Operations;
    expect(ops.map((o) => [o.method, o.bulkId, o.status])).toEqual([
      ['POST', 'one', '201'],
      ['PATCH', undefined, '200'],
      ['POST', 'two', '201'],
      ['PATCH', undefined, '200'],
    ]);
    const [oneId, twoId] = [ops[0]?.location, ops[2]?.location].map((l: string) => l.split('/').at(-1));
    expect(ops[0]?.location).toMatch(/\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
    expect(ops[0]?.version).toMatch(/^W\/"\d+"$/);
    expect((await scim('GET', `/Users/${oneId}`)).body.title).toBe('Bulked');
    expect((await profile(twoId as string)).roles).toEqual([{ role: 'accountant' }]);
  });

  it('stops after failOnErrors failures, and answers each failure in SCIM’s error format', async () => {
    const never = newUser('Never');
    const response = await scim('POST', '/Bulk', {
      body: {
        schemas: [BULK],
        failOnErrors: 1,
        Operations: [
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'bad',
            data: { ...newUser('Bad'), userName: 'not-an-email' },
          },
          { method: 'POST', path: '/Users', bulkId: 'never', data: never },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.Operations).toHaveLength(1);
    expect(response.body.Operations[0]).toMatchObject({
      method: 'POST',
      bulkId: 'bad',
      status: '400',
      response: { schemas: [ERROR], status: '400', scimType: 'invalidValue' },
    });
    const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${never.userName}"`)}`);
    expect(found.body.totalResults).toBe(0);
  });

  it('answers a bulkId nothing makes with 409, and another tenant’s user as absent', async () => {
    const created = await scim('POST', '/Users', { body: newUser('Kept') });
    const response = await scim('POST', '/Bulk', {
      token: globexToken.token,
      body: {
        schemas: [BULK],
        Operations: [
          { method: 'DELETE', path: `/Users/${created.body.id}` },
          { method: 'DELETE', path: '/Users/bulkId:nobody' },
          { method: 'DELETE', path: '/Roles/x' },
        ],
      },
    });
    expect(response.body.Operations.map((o: Body) => o.status)).toEqual(['404', '409', '400']);
    expect((await scim('GET', `/Users/${created.body.id}`)).status).toBe(200);
  });

  it('refuses a request it cannot run as a whole: too many operations, a bulkId twice, a method it does not take', async () => {
    const del = { method: 'DELETE', path: `/Users/${randomUUID()}` };
    expectScimError(
      await scim('POST', '/Bulk', {
        body: { schemas: [BULK], Operations: Array.from({ length: 51 }, () => del) },
      }),
      413,
    );
    const twice = { method: 'POST', path: '/Users', bulkId: 'same', data: newUser('Twice') };
    expectScimError(
      await scim('POST', '/Bulk', { body: { schemas: [BULK], Operations: [twice, twice] } }),
      400,
    );
    expectScimError(
      await scim('POST', '/Bulk', {
        body: { schemas: [BULK], Operations: [{ method: 'GET', path: '/Users' }] },
      }),
      400,
    );
    expectScimError(await scim('POST', '/Bulk', { body: { schemas: [CORE], Operations: [del] } }), 400);
  });
});

describe('tokens and tenants', () => {
  it('shows a token once, lists it without its secret with its last use, and refuses it once revoked', async () => {
    const token = await newToken(acme, 'Short-lived');
    expect((await scim('GET', '/ServiceProviderConfig', { token: token.token })).status).toBe(200);
    const listed = await api(env, 'GET', '/scim-tokens', { token: admin });
    const entry = (listed.body.items as Body[]).find((t) => t.id === token.id);
    expect(entry).toMatchObject({ name: 'Short-lived', lastUsedAt: expect.any(String) });
    expect(JSON.stringify(listed.body)).not.toContain(token.token.split('.')[3]);
    expect(entry?.hash).toBeUndefined();
    expect((await api(env, 'DELETE', `/scim-tokens/${token.id}`, { token: admin })).status).toBe(204);
    expectScimError(await scim('GET', '/Users', { token: token.token }), 401);
  });

  it('keeps no Idempotency-Key for a token: a retry under the same key mints another, never replays the secret', async () => {
    const key = randomUUID();
    const create = () =>
      api(env, 'POST', '/scim-tokens', {
        token: admin,
        body: { name: 'Retried' },
        headers: { 'idempotency-key': key },
      });
    const first = await create();
    const retry = await create();
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.id).not.toBe(first.body.id);
    expect(retry.body.token).not.toBe(first.body.token);
    for (const { body } of [first, retry]) {
      expect((await api(env, 'DELETE', `/scim-tokens/${body.id}`, { token: admin })).status).toBe(204);
    }
  });

  it('refuses no token, a made-up one, and one whose tenant was rewritten', async () => {
    expectScimError(await scim('GET', '/Users', { token: null }), 401);
    expectScimError(await scim('GET', '/Users', { token: 'gscim.acme.not-a-token.x' }), 401);
    const [, , tokenId, secret] = acmeToken.token.split('.');
    expectScimError(
      await scim('GET', '/Users', { token: ['gscim', globex.id, tokenId, secret].join('.') }),
      401,
    );
  });

  it("never lets one tenant's token reach another's users", async () => {
    const userName = `isolated.${randomUUID().slice(0, 8)}@example.com`;
    const created = await scim('POST', '/Users', {
      body: { schemas: [CORE], userName, active: false, name: { givenName: 'Iso', familyName: 'Lated' } },
    });
    const other = globexToken.token;
    expectScimError(await scim('GET', `/Users/${created.body.id}`, { token: other }), 404);
    expectScimError(
      await scim('PATCH', `/Users/${created.body.id}`, {
        token: other,
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] },
      }),
      404,
    );
    expectScimError(await scim('DELETE', `/Users/${created.body.id}`, { token: other }), 404);
    const found = await scim('GET', `/Users?${filter(`userName eq "${userName}"`)}`, { token: other });
    expect(found.body.totalResults).toBe(0);
    // Globex may have a user of the same email: it is another tenant's namespace.
    const theirs = await scim('POST', '/Users', {
      token: other,
      body: { schemas: [CORE], userName, active: false, name: { givenName: 'Iso', familyName: 'Globex' } },
    });
    expect(theirs.status).toBe(201);
    expect((await scim('GET', `/Users/${created.body.id}`)).body.name.familyName).toBe('Lated');
  });
});

describe('bad input: a SCIM error, never a 5xx, nothing changed', () => {
  const valid = () => ({
    schemas: [CORE],
    userName: `bad.${randomUUID().slice(0, 8)}@example.com`,
    active: false,
    name: { givenName: 'Bad', familyName: 'Input' },
  });
  const notCreated = async (userName: string) =>
    expect((await scim('GET', `/Users?${filter(`userName eq "${userName}"`)}`)).body.totalResults).toBe(0);

  it('refuses unknown attributes, wrong schemas, and a body that is not JSON', async () => {
    const unknown = { ...valid(), favouriteColour: 'blue' };
    expectScimError(await scim('POST', '/Users', { body: unknown }), 400, 'invalidSyntax');
    await notCreated(unknown.userName);
    const wrong = { ...valid(), schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'] };
    expectScimError(await scim('POST', '/Users', { body: wrong }), 400, 'invalidValue');
    await notCreated(wrong.userName);
    expectScimError(await scim('POST', '/Users', { raw: '{"schemas": [' }), 400, 'invalidSyntax');
    const notEmail = { ...valid(), userName: 'not-an-email' };
    expectScimError(await scim('POST', '/Users', { body: notEmail }), 400, 'invalidValue');
  });

  it('refuses a taken userName with 409 uniqueness', async () => {
    const body = valid();
    expect((await scim('POST', '/Users', { body })).status).toBe(201);
    expectScimError(
      await scim('POST', '/Users', { body: { ...body, userName: body.userName.toUpperCase() } }),
      409,
      'uniqueness',
    );
  });

  it('refuses malformed filters, and filters that would read every user', async () => {
    for (const bad of [
      'userName eq',
      'userName xx "a"',
      '(userName eq "a"',
      'userName eq "a" extra',
      'favouriteColour eq "blue"',
      'userName eq "unterminated',
    ]) {
      expectScimError(await scim('GET', `/Users?${filter(bad)}`), 400, 'invalidFilter');
    }
    for (const unserved of [
      'userName co "ada"',
      'title eq "Engineer"',
      'not (active eq true)',
      'userName eq "a@b.c" or title eq "x"',
    ]) {
      expectScimError(await scim('GET', `/Users?${filter(unserved)}`), 400, 'invalidFilter');
    }
    // Served when an index narrows it: sw by the email's words, co within a lookup.
    expect((await scim('GET', `/Users?${filter('userName sw "bad."')}`)).status).toBe(200);
    expect((await scim('GET', `/Users?${filter('userName eq "x@y.z" and title co "x"')}`)).status).toBe(200);
  });

  it('refuses oversized pages, unknown parameters and bad patches', async () => {
    expectScimError(await scim('GET', '/Users?count=1000'), 400, 'invalidValue');
    expectScimError(await scim('GET', '/Users?sortBy=userName'), 400, 'invalidSyntax');
    const created = await scim('POST', '/Users', { body: valid() });
    const id = created.body.id as string;
    const patch = (Operations: unknown) =>
      scim('PATCH', `/Users/${id}`, { body: { schemas: [PATCH_OP], Operations } });
    expectScimError(await patch([{ op: 'move', path: 'title', value: 'x' }]), 400, 'invalidValue');
    expectScimError(
      await patch([{ op: 'replace', path: 'favouriteColour', value: 'blue' }]),
      400,
      'invalidPath',
    );
    expectScimError(await patch([{ op: 'replace', path: 'emails[type eq', value: 'x' }]), 400, 'invalidPath');
    expectScimError(await patch([{ op: 'remove' }]), 400, 'noTarget');
    expectScimError(await patch([{ op: 'replace', path: 'active', value: 'maybe' }]), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${id}`, { body: { schemas: [CORE], Operations: [] } }), 400);
    // A PUT replaces what SCIM manages, but cannot clear what every profile must have.
    const { name: _name, ...nameless } = created.body;
    expectScimError(
      await scim('PUT', `/Users/${id}`, { body: { ...nameless, name: {} } }),
      400,
      'invalidValue',
    );
    expectScimError(await patch([{ op: 'remove', path: 'name.familyName' }]), 400, 'invalidValue');
    expect((await scim('GET', `/Users/${id}`)).body.meta.version).toBe(created.body.meta.version);
    expectScimError(await scim('GET', '/Users/not-a-user'), 404);
    expectScimError(await scim('GET', '/Groups/no-such-role'), 404);
    expectScimError(
      await scim('PATCH', '/Groups/accountant', {
        body: {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'displayName', value: 'Bookkeeper' }],
        },
      }),
      400,
      'mutability',
    );
    expectScimError(
      await scim('POST', '/Groups', {
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Accountant' },
      }),
      409,
      'uniqueness',
    );
  });
});
