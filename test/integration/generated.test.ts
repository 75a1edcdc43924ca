// Generated requests for every route of the route table, from its zod schemas and one valid request each:
// valid ones succeed or are refused by a named rule; mutated ones are 4xx naming the field; nothing is ever
// 5xx, and a refused request changes nothing in the stores. Fixed seed; FUZZ_RUNS (npm run fuzz) runs longer.
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as z from 'zod';
import { ROUTES, type RouteDefinition, type RouteId } from '#api/routes.ts';
import { SCIM_ROUTES, type ScimRouteDefinition, type ScimRouteId } from '#api/scim-routes.ts';
import { toFieldIssues } from '#http/request.ts';
import { localDynamoClient } from '#local/dynamodb.ts';
import { adminToken, api, newProfile } from '#test/support/offline.ts';
import { countItems } from '#test/support/tables.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];
const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

interface Target {
  userId: string;
  email: string;
  version: number;
  roleId: string;
}

interface Sample {
  params: Record<string, string>;
  query: Record<string, string>;
  body?: unknown;
  headers: Record<string, string>;
}

/** One valid request per route: a new route without one fails type-checking. */
const VALID: Record<RouteId, (t: Target) => Omit<Sample, 'params'>> = {
  createUser: () => ({ query: {}, headers: {}, body: newProfile({ title: 'Surveyor' }) }),
  listUsers: () => ({ query: { q: 'ada', limit: '5' }, headers: {} }),
  getUser: () => ({ query: {}, headers: {} }),
  activateUser: () => ({ query: {}, headers: { 'idempotency-key': randomUUID() } }),
  editUser: (t) => ({ query: {}, headers: { 'if-match': `"${t.version}"` }, body: { title: 'Lead' } }),
  deactivateUser: () => ({ query: {}, headers: {} }),
  archiveUser: () => ({ query: {}, headers: {} }),
  restoreUser: () => ({ query: {}, headers: {} }),
  deleteUser: (t) => ({ query: {}, headers: {}, body: { confirmEmail: `not-${t.email}` } }),
  resetPassword: () => ({ query: {}, headers: {} }),
  resendInvitation: () => ({ query: {}, headers: {} }),
  setPassword: () => ({
    query: {},
    headers: {},
    body: { password: 'Generated-Pass-42', confirmPassword: 'Generated-Pass-42', temporary: true },
  }),
  bulkUsers: (t) => ({ query: {}, headers: {}, body: { action: 'restore', userIds: [t.userId] } }),
  emailUser: () => ({ query: {}, headers: {}, body: { subject: 'Generated', text: 'Hello\nthere' } }),
  userHistory: () => ({ query: { limit: '2' }, headers: {} }),
  tenantHistory: () => ({ query: { limit: '2' }, headers: {} }),
  getMe: () => ({ query: {}, headers: {} }),
  listRoles: () => ({ query: {}, headers: {} }),
  createRole: () => ({
    query: {},
    headers: {},
    body: { name: `Generated ${randomUUID().slice(0, 6)}`, permissions: ['x.y'], scope: 'tenant' },
  }),
  editRole: () => ({ query: {}, headers: { 'if-match': '"1"' }, body: { description: 'edited' } }),
  deleteRole: () => ({ query: {}, headers: {} }),
  getLicences: () => ({ query: {}, headers: {} }),
  importUsers: () => ({
    query: { dryRun: 'true' },
    headers: {},
    body: 'firstName,lastName,email\nA,B,a@example.com',
  }),
  listJobs: () => ({ query: { limit: '2' }, headers: {} }),
  getJob: () => ({ query: {}, headers: {} }),
  jobResults: () => ({ query: { limit: '2' }, headers: {} }),
  cancelJob: () => ({ query: {}, headers: {} }),
  createScimToken: () => ({ query: {}, headers: {}, body: { name: 'Generated' } }),
  listScimTokens: () => ({ query: {}, headers: {} }),
  // A token id of nobody's: 404, or 400 for a mangled one; either way nothing changes.
  revokeScimToken: () => ({ query: {}, headers: {} }),
  createScimClient: () => ({ query: {}, headers: {}, body: { name: 'Generated client' } }),
  listScimClients: () => ({ query: {}, headers: {} }),
  // A client id of nobody's: 404, or 400 for a mangled one; either way nothing changes.
  revokeScimClient: () => ({ query: {}, headers: {} }),
};

/** Text that has broken servers before: controls, bidi overrides, invisible names, half surrogates, sizes. */
const nasty = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0002b',
    '\u200C',
    'x\u202Ey',
    '\ud800',
    '\uFFFD',
    '日本',
    'Zoe\u0301',
    'a'.repeat(3000),
    '../../etc',
    '"quoted"',
    'https:',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
);
const anyValue = fc.oneof(
  nasty,
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, -1, 1e308, [], {}),
);

type Json = unknown;
/** Every path to a value inside a JSON value (objects and arrays), the root included. */
function pathsOf(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const here = [at];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))];
  if (value && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
  return here;
}
function setAt(value: Json, path: (string | number)[], next: Json | typeof DELETE): Json {
  if (path.length === 0) return next === DELETE ? undefined : next;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    Json
  >;
  const inner = setAt(copy[head], rest, next);
  if (inner === undefined && rest.length === 0 && next === DELETE) delete copy[head];
  else copy[head] = inner;
  return copy;
}
const DELETE = Symbol('delete');

/** The valid request, or one with a value replaced, a field dropped or an unknown one added. */
function mutated<T>(valid: T): fc.Arbitrary<T> {
  const paths = pathsOf(valid).filter((p) => p.length > 0);
  if (paths.length === 0) return fc.constant(valid);
  return fc.oneof(
    fc.constant(valid),
    fc.tuple(fc.constantFrom(...paths), anyValue).map(([p, v]) => setAt(valid, p, v) as T),
    fc.constantFrom(...paths).map((p) => setAt(valid, p, DELETE) as T),
    fc
      .tuple(fc.constantFrom('extra', '__proto__', 'constructor'), anyValue)
      .map(([k, v]) =>
        valid && typeof valid === 'object' && !Array.isArray(valid) ? ({ ...valid, [k]: v } as T) : valid,
      ),
  );
}

function sampleOf(
  route: RouteDefinition,
  valid: Omit<Sample, 'params'>,
  target: Target,
): fc.Arbitrary<Sample> {
  const params: Record<string, fc.Arbitrary<string>> = {};
  if (route.path.includes('{userId}')) params.userId = fc.oneof(fc.constant(target.userId), nasty);
  if (route.path.includes('{roleId}')) params.roleId = fc.oneof(fc.constant(target.roleId), nasty);
  if (route.path.includes('{tokenId}')) params.tokenId = fc.oneof(fc.constant(randomUUID()), nasty);
  if (route.path.includes('{clientId}')) params.clientId = fc.oneof(fc.constant('nobodysclient1'), nasty);
  return fc.record({
    params: fc.record(params).filter((p) => Object.values(p).every((v) => v.length > 0)),
    query: mutated(valid.query).map((q) =>
      Object.fromEntries(
        Object.entries(q ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
    ),
    headers: mutated(valid.headers).map((h) =>
      Object.fromEntries(
        Object.entries(h ?? {})
          .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v ?? '')])
          .filter(([, v]) => /^[\x20-\x7e]*$/.test(v as string)),
      ),
    ),
    body: valid.body === undefined ? fc.constant(undefined) : mutated(valid.body),
  });
}

/** The fields the route's own schemas name for this request; empty when the schemas accept it. */
function schemaIssues(route: RouteDefinition, sample: Sample): string[] {
  const check = (where: string, schema: z.core.$ZodType | undefined, value: unknown) => {
    const result = z.safeParse(schema ?? z.strictObject({}), value);
    return result.success ? [] : toFieldIssues(where, result.error).map((i) => i.field);
  };
  return [
    ...check('params', route.request.params, sample.params),
    ...check('query', route.request.query, sample.query),
    ...(sample.body === undefined ? [] : check('body', route.request.body, sample.body)),
  ];
}

const documents = DynamoDBDocumentClient.from(localDynamoClient(env.endpoints.dynamodb));
afterAll(() => documents.destroy());

/** What a refused request must leave as it was: every table's item count, the target user and role. */
async function stores(target: Target) {
  const item = async (sk: string) =>
    (
      await documents.send(
        new GetCommand({ TableName: env.tables.PROFILES_TABLE as string, Key: { pk: 'acme', sk } }),
      )
    ).Item;
  return {
    counts: await countItems(env),
    user: await item(`USER#${target.userId}`),
    role: await item(`ROLE#${target.roleId}`),
  };
}

let admin: string;
let target: Target;

beforeAll(async () => {
  admin = await adminToken(env, acme);
  const user = await api<{ id: string; email: string; version: number }>(env, 'POST', '/users', {
    token: admin,
    body: newProfile(),
  });
  const role = await api<{ id: string }>(env, 'POST', '/roles', {
    token: admin,
    body: { name: `Fuzz ${randomUUID().slice(0, 8)}`, permissions: ['x.y'], scope: 'tenant' },
  });
  target = { userId: user.body.id, email: user.body.email, version: user.body.version, roleId: role.body.id };
});

describe('generated requests', () => {
  it.each(
    Object.keys(ROUTES) as RouteId[],
  )('%s: never 5xx; refusals name the field and change nothing', async (id) => {
    const route: RouteDefinition = ROUTES[id];
    await fc.assert(
      fc.asyncProperty(sampleOf(route, VALID[id](target), target), async (sample) => {
        let path = route.path;
        for (const [name, value] of Object.entries(sample.params)) {
          path = path.replace(`{${name}}`, encodeURIComponent(value));
        }
        const query = new URLSearchParams(sample.query).toString();
        const before = await stores(target);
        const response = await api<{ errors?: { field: string }[]; type?: string }>(
          env,
          route.method,
          `${path}${query ? `?${query}` : ''}`,
          {
            token: admin,
            headers: sample.headers,
            ...(sample.body === undefined ? {} : { rawBody: JSON.stringify(sample.body) }),
          },
        );
        expect(response.status).toBeLessThan(500);
        const expected = schemaIssues(route, sample);
        if (expected.length > 0) {
          // A request the schemas refuse is 400, naming (at least) the fields they name.
          expect(response.status).toBe(400);
          const named = (response.body.errors ?? []).map((e) => e.field);
          expect(named).toEqual(expect.arrayContaining([expected[0]]));
        }
        if (response.status >= 400) {
          expect(response.body.type).toMatch(/^https:\/\/gatehouse\.dev\/problems\/|^about:blank$/);
          expect(await stores(target)).toEqual(before);
        }
        // A change that did happen moves the target's version on: the next If-Match follows it.
        if (response.status < 300 && id === 'editUser' && sample.params.userId === target.userId) {
          target.version++;
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/**
 * One valid request per SCIM route (a new one without one fails type-checking). `id` is the target user's, the
 * target role's (a Group), or nobody's for the deletes, so a valid delete archives no one the others need.
 */
const SCIM_VALID: Record<ScimRouteId, (t: Target) => { id?: string } & Omit<Sample, 'params' | 'headers'>> = {
  scimServiceProviderConfig: () => ({ query: {} }),
  scimResourceTypes: () => ({ query: {} }),
  scimSchemas: () => ({ query: {} }),
  scimGetResourceType: () => ({ id: 'User', query: {} }),
  scimBulk: (t) => ({
    query: {},
    body: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      failOnErrors: 1,
      Operations: [
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'made',
          data: {
            schemas: [USER],
            userName: `bulk-${randomUUID().slice(0, 8)}@acme.example.com`,
            name: { givenName: 'Bu', familyName: 'Lk' },
            active: false,
          },
        },
        {
          method: 'PATCH',
          path: `/Users/${t.userId}`,
          data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Bulked' }] },
        },
      ],
    },
  }),
  scimGetSchema: () => ({ id: USER, query: {} }),
  scimSearchUsers: (t) => ({
    query: {},
    body: {
      schemas: [SEARCH],
      filter: `userName eq "${t.email}"`,
      startIndex: 1,
      count: 5,
      attributes: ['userName', 'name'],
    },
  }),
  scimSearchGroups: () => ({
    query: {},
    body: { schemas: [SEARCH], filter: 'displayName eq "Technician"', excludedAttributes: ['members'] },
  }),
  scimListUsers: (t) => ({ query: { filter: `userName eq "${t.email}"`, startIndex: '1', count: '5' } }),
  scimCreateUser: () => ({
    query: {},
    body: {
      schemas: [USER],
      userName: `scim-${randomUUID().slice(0, 8)}@acme.example.com`,
      name: { givenName: 'Gen', familyName: 'Erated' },
      active: false,
    },
  }),
  scimGetUser: (t) => ({ id: t.userId, query: { attributes: 'userName,name' } }),
  scimReplaceUser: (t) => ({
    id: t.userId,
    query: {},
    body: {
      schemas: [USER],
      userName: t.email,
      name: { givenName: 'Ada', familyName: 'Replaced' },
      active: false,
    },
  }),
  scimPatchUser: (t) => ({
    id: t.userId,
    query: {},
    body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Patched' }] },
  }),
  scimDeleteUser: () => ({ id: randomUUID(), query: {} }),
  scimListGroups: () => ({ query: { filter: 'displayName eq "Technician"', excludedAttributes: 'members' } }),
  scimCreateGroup: () => ({ query: {}, body: { schemas: [GROUP], displayName: 'Technician' } }),
  scimGetGroup: (t) => ({ id: t.roleId, query: { excludedAttributes: 'members' } }),
  scimReplaceGroup: (t) => ({
    id: t.roleId,
    query: {},
    body: { schemas: [GROUP], displayName: 'x', members: [] },
  }),
  scimPatchGroup: (t) => ({
    id: t.roleId,
    query: {},
    body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: t.userId }] }] },
  }),
  scimDeleteGroup: () => ({ id: randomUUID(), query: {} }),
};

/** SCIM's filter language at its edges: what a parser must refuse with a 400, never fall over on. */
const nastyFilter = fc.oneof(
  nasty,
  fc.constantFrom(
    'userName eq',
    'userName eq "a" and',
    '((((((((((userName pr))))))))))',
    `${'not ('.repeat(200)}userName pr${')'.repeat(200)}`,
    'emails[type eq "work" and value co "@"].value eq "x"',
    'userName eq "\\"',
    'meta.lastModified gt "2026-13-45T99:99:99Z"',
    'userName sw ""',
    'active eq "maybe"',
  ),
);

describe('generated SCIM requests', () => {
  let directory: string;
  beforeAll(async () => {
    const created = await api<{ id: string; token: string }>(env, 'POST', '/scim-tokens', {
      token: admin,
      body: { name: 'Generated directory' },
    });
    directory = created.body.token;
    return async () => {
      await api(env, 'DELETE', `/scim-tokens/${created.body.id}`, { token: admin });
    };
  });

  it.each(
    Object.keys(SCIM_ROUTES) as ScimRouteId[],
  )('%s: never 5xx; refusals are SCIM errors and change nothing', async (id) => {
    const route: ScimRouteDefinition = SCIM_ROUTES[id];
    const valid = SCIM_VALID[id](target);
    const sample = fc.record({
      id: fc.oneof(fc.constant(valid.id ?? ''), nasty).filter((v) => v.length > 0),
      query: mutated(valid.query).map((q) =>
        Object.fromEntries(
          Object.entries(q ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
        ),
      ),
      filter: fc.option(nastyFilter, { nil: undefined }),
      body: valid.body === undefined ? fc.constant(undefined) : mutated(valid.body),
    });
    await fc.assert(
      fc.asyncProperty(sample, async ({ id: resource, query, filter, body }) => {
        const path = route.path.replace('{id}', encodeURIComponent(resource));
        const params = new URLSearchParams(query);
        if (filter !== undefined && 'filter' in valid.query) params.set('filter', filter);
        const before = await stores(target);
        const response = await fetch(`${env.apiUrl}${path}${params.size ? `?${params}` : ''}`, {
          method: route.method,
          headers: {
            authorization: `Bearer ${directory}`,
            ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        expect(response.status, text).toBeLessThan(500);
        if (response.status >= 400) {
          expect(JSON.parse(text)).toMatchObject({
            schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
            status: String(response.status),
          });
          expect(await stores(target)).toEqual(before);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});

describe('what generated requests found', () => {
  it('takes a header or query parameter named after Object.prototype as any other name', async () => {
    const header = await api(env, 'GET', '/me', { token: admin, headers: { constructor: '../../etc' } });
    expect(header.status).toBe(200);
    const query = await api<{ errors: { field: string }[] }>(env, 'GET', '/history?__proto__=x', {
      token: admin,
    });
    expect(query.status).toBe(400);
    expect(query.body.errors.map((e) => e.field)).toEqual(['query.__proto__']);
  });
});
