// Tenants as data: a tenant added to the running backend is served at once; a retired one is refused everywhere.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminGetUserCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { ROUTES, type RouteId } from '#api/routes.ts';
import { SCIM_ROUTES, type ScimRouteId } from '#api/scim-routes.ts';
import { generatedTenants, type TenantConfig } from '#config/tenants.ts';
import { PROJECT_ROOT } from '#lib/gatehouse-function.ts';
import { localDynamoClient } from '#local/dynamodb.ts';
import { jobEnded, peopleCsv } from '#test/support/jobs.ts';
import {
  activeUser,
  adminToken,
  api,
  cognitoClient,
  outcome,
  refresh,
  signIn,
  type Tenant,
} from '#test/support/offline.ts';

const env = inject('environment');

/** A tenant configuration as `npm run tenants -- add <file>` reads it (a generated one), with an id no other test uses. */
function tenantConfig(): TenantConfig {
  const id = `it${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const [generated] = generatedTenants(1) as [TenantConfig];
  return {
    ...generated,
    id,
    name: `Added ${id}`,
    mailFrom: `no-reply@${id}.example.com`,
    licences: { engineer: 3 },
  };
}

async function platform(method: 'GET' | 'POST', path = '', body?: unknown) {
  const response = await fetch(`${env.tenantsUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function addTenant(): Promise<Tenant> {
  const added = await platform('POST', '', tenantConfig());
  expect(added.status).toBe(201);
  return added.body as unknown as Tenant;
}

/** A SCIM token of the tenant, made by its administrator through the API. */
async function scimToken(token: string): Promise<string> {
  const created = await api<{ token: string }>(env, 'POST', '/scim-tokens', {
    token,
    body: { name: 'Directory' },
  });
  expect(created.status).toBe(201);
  return created.body.token;
}

async function scim(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${env.apiUrl}/scim/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Polls until `check` holds: a warm instance trusts a registry read for TENANT_CACHE_SECONDS (1 s offline). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 8000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

describe('a tenant added to the running backend', () => {
  it('signs in and is served without a restart, and sees none of another tenant’s users', async () => {
    const tenant = await addTenant();
    const token = await adminToken(env, tenant);
    const me = await api(env, 'GET', '/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: tenant.admin.email });

    const user = await activeUser(env, tenant, token);
    const listed = await api<{ items: { id: string }[] }>(env, 'GET', '/users?limit=100', { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((u) => u.id).sort()).toEqual([me.body.id, user.id].sort());
    // Its own rules, from its registry record: three engineer seats.
    const licences = await api<{ items: unknown[] }>(env, 'GET', '/licences', { token });
    expect(licences.body.items).toEqual([expect.objectContaining({ type: 'engineer', seats: 3 })]);

    const [acme] = env.tenants as [Tenant];
    const acmeToken = await adminToken(env, acme);
    expect((await api(env, 'GET', `/users/${user.id}`, { token: acmeToken })).status).toBe(404);

    // Its directory too: the SCIM function finds the token's tenant in the registry, not in its environment.
    const directory = await scimToken(token);
    const found = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${user.email}"`)}`,
      directory,
    );
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ totalResults: 1 });
  });

  it('is listed by the platform endpoint, and a second add of its id is refused, changing nothing', async () => {
    const tenant = await addTenant();
    const listed = await platform('GET');
    const record = (listed.body.tenants as { id: string; status: string; userPoolId: string }[]).find(
      (t) => t.id === tenant.id,
    );
    expect(record).toMatchObject({ status: 'active', userPoolId: tenant.userPoolId });
    const again = await platform('POST', '', { ...tenantConfig(), id: tenant.id, name: 'Impostor' });
    expect(again.status).toBe(409);
    const after = (await platform('GET')).body.tenants as { id: string; name: string }[];
    expect(after.find((t) => t.id === tenant.id)?.name).toBe(`Added ${tenant.id}`);
  });

  it("can be administered in the console: its app client takes the console's callback, its config names it", async () => {
    if (!env.consoleUrl) throw new Error('The console is not built: run npm run console:build first.');
    const tenant = await addTenant();
    const { UserPoolClient: client } = await cognitoClient(env).send(
      new DescribeUserPoolClientCommand({ UserPoolId: tenant.userPoolId, ClientId: tenant.clientId }),
    );
    expect(client?.CallbackURLs).toContain(`${env.consoleUrl}/callback`);
    expect(client?.LogoutURLs).toContain(`${env.consoleUrl}/`);
    const config = (await (await fetch(`${env.consoleUrl}/config.json`)).json()) as {
      tenants: { id: string; issuer: string; clientId: string }[];
    };
    expect(config.tenants.find((t) => t.id === tenant.id)).toEqual({
      id: tenant.id,
      name: `Added ${tenant.id}`,
      issuer: tenant.issuer,
      clientId: tenant.clientId,
    });
  });

  it('refuses a tenant configuration that breaks the schema, naming the field', async () => {
    const bad = await platform('POST', '', { ...tenantConfig(), mailFrom: 'not-an-email' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'mailFrom' })]);
  });
});

describe('a retired tenant', () => {
  it('is refused at sign-in, on refresh and on every route, its pool and users kept', async () => {
    const tenant = await addTenant();
    const admin = await adminToken(env, tenant);
    const user = await activeUser(env, tenant, admin);
    const me = await api(env, 'GET', '/me', { token: admin });
    expect(me.status).toBe(200);
    const directory = await scimToken(admin);
    expect((await scim('GET', `/Users/${user.id}`, directory)).status).toBe(200);

    const retired = await platform('POST', '/retire', { id: tenant.id });
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ id: tenant.id, status: 'retired' });

    // Sign-in: PreAuthentication refuses, in words a person understands.
    expect(
      await eventually(async () =>
        /no longer has access/.test(await outcome(signIn(env, tenant, user.email, user.password))),
      ),
    ).toBe(true);
    expect(await outcome(signIn(env, tenant, tenant.admin.email, tenant.admin.password))).toMatch(
      /no longer has access/,
    );
    // A refresh skips PreAuthentication; PreTokenGeneration stops it.
    expect(await outcome(refresh(env, tenant, user.refreshToken))).toMatch(/no longer has access/);

    // Every route, with a token issued before the retirement, answers 403 before reading anything.
    expect(
      await eventually(async () => (await api(env, 'GET', '/me', { token: admin })).status === 403),
    ).toBe(true);
    for (const [id, route] of Object.entries(ROUTES) as [RouteId, (typeof ROUTES)[RouteId]][]) {
      const path = route.path.replace(/\{(\w+)\}/g, () => me.body.id as string);
      const response = await api(env, route.method, path, {
        token: admin,
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} }),
        headers: { 'if-match': '"1"' },
      });
      expect(response.status, id).toBe(403);
      expect(response.body.detail, id).toMatch(/retired/);
    }
    // And every SCIM route, with the tenant's SCIM token: 403 in SCIM's format. The SCIM function's instance
    // keeps its own registry cache, so it too may serve for up to TENANT_CACHE_SECONDS.
    expect(
      await eventually(async () => (await scim('GET', '/ServiceProviderConfig', directory)).status === 403),
    ).toBe(true);
    for (const [id, route] of Object.entries(SCIM_ROUTES) as [
      ScimRouteId,
      (typeof SCIM_ROUTES)[ScimRouteId],
    ][]) {
      const path = route.path.replace(/^\/scim\/v2/, '').replace(/\{(\w+)\}/g, () => user.id);
      const response = await scim(
        route.method,
        path,
        directory,
        route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      );
      expect(response.status, id).toBe(403);
      expect(response.body, id).toMatchObject({ status: '403', detail: expect.stringMatching(/retired/) });
    }

    // Kept until an explicit purge: the logins, and the profiles behind them.
    const login = await cognitoClient(env).send(
      new AdminGetUserCommand({ UserPoolId: tenant.userPoolId, Username: user.email }),
    );
    expect(login.Username).toBeTruthy();
    const listed = (await platform('GET')).body.tenants as { id: string; status: string }[];
    expect(listed.find((t) => t.id === tenant.id)?.status).toBe('retired');
  });

  it('leaves every other tenant served', async () => {
    const tenant = await addTenant();
    expect((await platform('POST', '/retire', { id: tenant.id })).status).toBe(200);
    const [acme] = env.tenants as [Tenant];
    expect((await api(env, 'GET', '/me', { token: await adminToken(env, acme) })).status).toBe(200);
  });

  it('answers 404 to a retirement of a tenant that does not exist', async () => {
    expect((await platform('POST', '/retire', { id: 'nosuchtenant' })).status).toBe(404);
  });
});

/** The tenant's items in every table, the registry's included: keyed by its id (`<id>`, `<id>#…`) or naming it. */
async function itemsOf(tenantId: string): Promise<Record<string, number>> {
  const client = localDynamoClient(env.endpoints.dynamodb);
  const counts: Record<string, number> = {};
  for (const table of Object.values(env.tables)) {
    let start: Record<string, unknown> | undefined;
    let count = 0;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start as never } : {}) }),
      );
      count += (page.Items ?? []).filter((item) => {
        const pk = item.pk?.S ?? '';
        return pk === tenantId || pk.startsWith(`${tenantId}#`) || item.tenantId?.S === tenantId;
      }).length;
      start = page.LastEvaluatedKey;
    } while (start);
    counts[table] = count;
  }
  client.destroy();
  return counts;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** `npm run tenants -- --offline …` against this backend, from an environment.json of its own. */
async function tenantsCommand(...args: string[]): Promise<{ code: number; output: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-tenants-cli-'));
  writeFileSync(join(dataDir, 'environment.json'), JSON.stringify(env));
  try {
    const { stdout, stderr } = await promisify(execFile)(
      join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
      ['bin/tenants.ts', '--offline', '--data-dir', dataDir, ...args],
      { cwd: PROJECT_ROOT },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// A purge scans the data tables, and the first test runs the CLI three times (a fresh tsx each): on a loaded
// machine they have taken 25 s, near the integration project's 30 s default.
describe('purging a tenant', { timeout: 90_000 }, () => {
  it('deletes a retired tenant’s pool, every item of its data and its record, resuming a purge that stopped half-way', async () => {
    const tenant = await addTenant();
    const admin = await adminToken(env, tenant);
    await activeUser(env, tenant, admin);
    await scimToken(admin);
    // An import job: its items live in the jobs table, under the tenant's id.
    const job = await api(env, 'POST', '/users/import', {
      token: admin,
      rawBody: peopleCsv(2),
      headers: { 'content-type': 'text/csv' },
    });
    expect(job.status).toBe(202);
    await jobEnded(env, admin, job.body.id as string);
    const [acme] = env.tenants as [Tenant];
    const acmeBefore = await itemsOf(acme.id);
    const before = await itemsOf(tenant.id);
    // Profiles, email claims, roles, search entries, the SCIM token, history, the job, the two registry items.
    expect(total(before)).toBeGreaterThan(10);
    expect(before[env.tables.JOBS_TABLE as string]).toBeGreaterThan(0);
    expect((await platform('POST', '/retire', { id: tenant.id })).status).toBe(200);

    // Without the confirmation, nothing happens.
    const unconfirmed = await tenantsCommand('purge', tenant.id);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.output).toMatch(/--yes-delete-everything/);
    expect(await itemsOf(tenant.id)).toEqual(before);

    // A purge that stopped after deleting the pool: running it again finishes the job.
    await cognitoClient(env).send(new DeleteUserPoolCommand({ UserPoolId: tenant.userPoolId }));
    const purged = await tenantsCommand('purge', tenant.id, '--yes-delete-everything');
    expect(purged.output).toMatch(new RegExp(`Purged ${tenant.id}: pool ${tenant.userPoolId} gone already`));
    expect(purged.code).toBe(0);

    expect(total(await itemsOf(tenant.id))).toBe(0);
    await expect(
      cognitoClient(env).send(new DescribeUserPoolCommand({ UserPoolId: tenant.userPoolId })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const listed = (await platform('GET')).body.tenants as { id: string }[];
    expect(listed.map((t) => t.id)).not.toContain(tenant.id);
    // Its tokens find no tenant any more.
    expect((await api(env, 'GET', '/me', { token: admin })).status).toBe(401);
    // Another tenant is untouched: every item, and its service.
    expect(await itemsOf(acme.id)).toEqual(acmeBefore);
    expect((await api(env, 'GET', '/me', { token: await adminToken(env, acme) })).status).toBe(200);
    // Purged already: nothing left to purge.
    expect((await platform('POST', '/purge', { id: tenant.id })).status).toBe(404);
  });

  it('deletes the pool of a retired tenant itself, and refuses an active or unknown tenant, changing nothing', async () => {
    const active = await addTenant();
    const before = await itemsOf(active.id);
    const refused = await platform('POST', '/purge', { id: active.id });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/retire it first/);
    expect(await itemsOf(active.id)).toEqual(before);
    expect((await api(env, 'GET', '/me', { token: await adminToken(env, active) })).status).toBe(200);
    expect((await platform('POST', '/purge', { id: 'nosuchtenant' })).status).toBe(404);

    expect((await platform('POST', '/retire', { id: active.id })).status).toBe(200);
    const retired = await itemsOf(active.id);
    const purged = await platform('POST', '/purge', { id: active.id });
    expect(purged.status).toBe(200);
    expect(purged.body).toMatchObject({ pool: 'deleted', tenant: { id: active.id } });
    // Every data item was counted and deleted; the two registry items go apart, last.
    expect(purged.body.items).toBe(total(retired) - 2);
    expect(total(await itemsOf(active.id))).toBe(0);
    await expect(
      cognitoClient(env).send(new DescribeUserPoolCommand({ UserPoolId: active.userPoolId })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
