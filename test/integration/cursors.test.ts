// Page cursors: opaque, MAC'd, bound to tenant, route, query and reach; anything else is 400 naming query.cursor.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { adminToken, api, newProfile } from '#test/support/offline.ts';
import { countItems } from '#test/support/tables.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];

type Page = { items: { id?: string }[]; next?: string };
type ProblemBody = { status: number; errors: { field: string }[] };

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let admin: string;
let tag: string;
let userId: string;

beforeAll(async () => {
  admin = await adminToken(env, acme);
  tag = `Cursor${randomUUID().slice(0, 6)}`;
  for (let i = 0; i < 3; i++) {
    const created = await api<{ id: string }>(env, 'POST', '/users', {
      token: admin,
      body: newProfile({ lastName: tag }),
    });
    expect(created.status).toBe(201);
    userId = created.body.id;
  }
  // Two history entries for the last one: created, then edited.
  const edited = await api(env, 'PATCH', `/users/${userId}`, {
    token: admin,
    body: { title: 'Surveyor' },
    headers: { 'if-match': '"1"' },
  });
  expect(edited.status).toBe(200);
});

async function page(path: string, token = admin) {
  const response = await api<Page>(env, 'GET', path, { token });
  expect(response.status).toBe(200);
  expect(response.body.next).toBeTypeOf('string');
  return response.body.next as string;
}

async function refused(path: string, token = admin) {
  const before = await countItems(env);
  const response = await api<ProblemBody>(env, 'GET', path, { token });
  expect(response.status).toBe(400);
  expect(response.body.errors.map((e) => e.field)).toEqual(['query.cursor']);
  expect(await countItems(env)).toEqual(before);
}

describe('page cursors', () => {
  it('refuses the forged history keys that reached DynamoDB as a 500', async () => {
    await refused(`/history?cursor=${base64url({ sk: '', tenantPk: 'acme', pk: 'acme#x' })}`);
    await refused(`/history?cursor=${base64url({ sk: 'x', pk: 'acme#x' })}`);
    await refused(`/users/${userId}/history?cursor=${base64url({ sk: '', pk: `acme#${userId}` })}`);
  });

  it('refuses a real cursor whose position was changed, or that was cut short', async () => {
    const next = await page(`/users?q=${tag}&limit=1`);
    const [position = '', mac = ''] = next.split('.');
    await refused(`/users?q=${tag}&limit=1&cursor=${base64url([''])}.${mac}`);
    await refused(`/users?q=${tag}&limit=1&cursor=${base64url(['a'])}.${mac}`);
    await refused(`/users?q=${tag}&limit=1&cursor=${position}.${mac.slice(0, -1)}`);
    await refused(`/users?q=${tag}&limit=1&cursor=${position}`);
    await refused(`/users?q=${tag}&limit=1&cursor=${next.slice(0, -4)}`);
  });

  it('follows its own cursor, whatever the page size of the next page', async () => {
    const next = await page(`/users?q=${tag}&limit=1`);
    const second = await api<Page>(env, 'GET', `/users?q=${tag}&limit=5&cursor=${next}`, { token: admin });
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(2);
  });

  it('refuses a cursor of another query, another route, or another tenant', async () => {
    const users = await page(`/users?q=${tag}&limit=1`);
    await refused(`/users?q=${tag}&limit=1&status=inactive&cursor=${users}`);
    await refused(`/users?limit=1&cursor=${users}`);
    await refused(`/history?limit=1&cursor=${users}`);

    const history = await page(`/users/${userId}/history?limit=1`);
    await refused(`/history?limit=1&cursor=${history}`);
    const other = (await api<{ id: string }>(env, 'POST', '/users', { token: admin, body: newProfile() }))
      .body;
    await refused(`/users/${other.id}/history?limit=1&cursor=${history}`);

    const tenantWide = await page('/history?limit=1');
    await refused(`/history?limit=1&cursor=${tenantWide}`, await adminToken(env, globex));
  });

  it('shows no key attribute or key layout of the tables', async () => {
    const cursors = [
      await page(`/users?q=${tag}&limit=1`),
      await page('/users?limit=1'),
      await page(`/users/${userId}/history?limit=1`),
      await page('/history?limit=1'),
    ];
    for (const cursor of cursors) {
      const position = Buffer.from(cursor.split('.')[0] ?? '', 'base64url').toString('utf8');
      // Names of users the caller may read anyway may show; names of key attributes and key prefixes may not.
      expect(position).not.toMatch(/"(pk|sk|tenantPk|a|b)"|USER#|acme#|#W#/);
    }
  });
});
