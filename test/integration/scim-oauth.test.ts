// SCIM over OAuth client credentials, through HTTP against the offline backend: an administrator creates a SCIM
// OAuth client, the directory takes its token from the pool's /oauth2/token (client_secret_basic or
// client_secret_post), and provisions with it; a revoked client, another tenant's client, a token without the
// SCIM scope, and bad input to the new routes are each refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resign } from '#local/cognito/hosted/jwt.ts';
import { adminToken, api, signIn } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface Created {
  id: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  tokenUrl?: string;
  name: string;
}

// biome-ignore lint/suspicious/noExplicitAny: SCIM answers are read by shape; each assertion says what it expects.
type Body = Record<string, any>;

let acmeAdmin: string;
let globexAdmin: string;
let acmeClient: Created;
let globexClient: Created;

async function newClient(tenant: typeof acme, token: string, name: string): Promise<Created> {
  const created = await api<Created>(env, 'POST', '/scim-clients', { token, body: { name } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.headers.get('cache-control')).toBe('no-store');
  expect(created.body.tokenUrl).toBe(tenant.tokenUrl);
  return created.body;
}

/** The pool's token endpoint, as a directory calls it. */
async function grant(
  client: { clientId: string; clientSecret: string },
  options: { method?: 'basic' | 'post'; scope?: string | null; url?: string } = {},
) {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (options.scope !== null) form.set('scope', options.scope ?? 'gatehouse/scim');
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (options.method === 'post') {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  } else {
    const pair = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  const response = await fetch(options.url ?? acme.tokenUrl, { method: 'POST', headers, body: form });
  return { status: response.status, body: (await response.json()) as Body };
}

async function accessToken(client: Created, method: 'basic' | 'post' = 'basic'): Promise<string> {
  const { status, body } = await grant(client, { method, url: client.tokenUrl });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.access_token as string;
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
  expect(response.status, text).toBeLessThan(500);
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Body };
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

const newScimUser = () => {
  const tag = randomUUID().slice(0, 8);
  return {
    schemas: [CORE],
    userName: `oauth.${tag}@example.com`,
    name: { givenName: 'Grace', familyName: `Hopper-${tag}` },
    active: false,
  };
};

beforeAll(async () => {
  acmeAdmin = await adminToken(env, acme);
  globexAdmin = await adminToken(env, globex);
  acmeClient = await newClient(acme, acmeAdmin, `Okta ${randomUUID().slice(0, 6)}`);
  globexClient = await newClient(globex, globexAdmin, 'Globex Entra ID');
});

afterAll(async () => {
  // A tenant holds a bounded number of clients; other files' tests make theirs too.
  await api(env, 'DELETE', `/scim-clients/${acmeClient.id}`, { token: acmeAdmin });
  await api(env, 'DELETE', `/scim-clients/${globexClient.id}`, { token: globexAdmin });
});

describe('a SCIM OAuth client', () => {
  it('is created with its secret shown once, and listed without it', async () => {
    expect(acmeClient).toMatchObject({ id: acmeClient.clientId, scope: 'gatehouse/scim' });
    expect(acmeClient.clientSecret.length).toBeGreaterThanOrEqual(40);
    const listed = await api<{ items: Body[] }>(env, 'GET', '/scim-clients', { token: acmeAdmin });
    expect(listed.status).toBe(200);
    const mine = listed.body.items.find((c) => c.id === acmeClient.id);
    expect(mine).toMatchObject({ name: acmeClient.name });
    expect(JSON.stringify(listed.body)).not.toContain(acmeClient.clientSecret);
    // The tenant's own list only.
    expect(listed.body.items.map((c) => c.id)).not.toContain(globexClient.id);
  });

  it('takes an access token from the token endpoint by client_secret_basic and by client_secret_post', async () => {
    for (const method of ['basic', 'post'] as const) {
      const { status, body } = await grant(acmeClient, { method });
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(body.id_token).toBeUndefined();
      expect(body.refresh_token).toBeUndefined();
      expect(claims(body.access_token)).toMatchObject({
        iss: acme.issuer,
        token_use: 'access',
        scope: 'gatehouse/scim',
        client_id: acmeClient.clientId,
        sub: acmeClient.clientId,
      });
    }
    // No scope asked: every custom scope the client is allowed.
    const all = await grant(acmeClient, { scope: null });
    expect(all.status).toBe(200);
    expect(claims(all.body.access_token).scope).toBe('gatehouse/scim');
  });

  it('is refused a token for a wrong secret, a scope it is not allowed, or two ways of authenticating', async () => {
    expect(await grant({ ...acmeClient, clientSecret: 'wrong' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    for (const scope of ['openid', 'gatehouse/admin', 'gatehouse/scim openid']) {
      expect(await grant(acmeClient, { scope })).toMatchObject({
        status: 400,
        body: { error: 'invalid_scope' },
      });
    }
    // The tenant's public app client has no secret: no machine token for it.
    expect(await grant({ clientId: acme.clientId, clientSecret: '' }, { method: 'post' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const both = await fetch(acme.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${acmeClient.clientId}:${acmeClient.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_secret: acmeClient.clientSecret }),
    });
    expect(both.status).toBe(400);
  });

  it('provisions through SCIM, with the client named in the history', async () => {
    const token = await accessToken(acmeClient, 'post');
    const user = newScimUser();
    const created = await scim('POST', '/Users', token, user);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const found = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`,
      token,
    );
    expect(found.body.totalResults).toBe(1);
    const patched = await scim('PATCH', `/Users/${created.body.id}`, token, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'Rear admiral' }],
    });
    expect(patched.status).toBe(200);
    const history = await api<{ items: Body[] }>(env, 'GET', `/users/${created.body.id}/history`, {
      token: acmeAdmin,
    });
    expect(history.body.items.map((e) => e.actor)).toContainEqual({
      id: `scim:${acmeClient.clientId}`,
      name: `SCIM: ${acmeClient.name}`,
    });
    // Its use is recorded, as a token's is.
    const listed = await api<{ items: Body[] }>(env, 'GET', '/scim-clients', { token: acmeAdmin });
    expect(listed.body.items.find((c) => c.id === acmeClient.id)?.lastUsedAt).toBeDefined();
  });

  it("never reaches another tenant's data with its tokens", async () => {
    const user = newScimUser();
    const created = await scim('POST', '/Users', await accessToken(acmeClient), user);
    expect(created.status).toBe(201);
    const globexToken = await accessToken(globexClient);
    expect((await scim('GET', `/Users/${created.body.id}`, globexToken)).status).toBe(404);
    const filtered = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`,
      globexToken,
    );
    expect(filtered.body.totalResults).toBe(0);
    // Globex's token made out to Acme's issuer (offline, every pool signs with one key): its client is no SCIM
    // client of Acme's, so it is refused before anything of Acme's is read.
    const forged = resign(globexToken, { iss: acme.issuer });
    const refused = await scim('GET', `/Users/${created.body.id}`, forged);
    expect(refused.status).toBe(401);
    expect(refused.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    // Nor can Acme's administrator revoke Globex's client: it answers as absent, and still works.
    expect((await api(env, 'DELETE', `/scim-clients/${globexClient.id}`, { token: acmeAdmin })).status).toBe(
      404,
    );
    expect((await scim('GET', '/Users?count=1', globexToken)).status).toBe(200);
  });

  it('refuses tokens without the SCIM scope, and tokens that are no access token of a SCIM client', async () => {
    const token = await accessToken(acmeClient);
    const withoutScope = resign(token, { scope: 'gatehouse/other' });
    expect((await scim('GET', '/Users?count=1', withoutScope)).status).toBe(401);
    const asIdToken = resign(token, { token_use: 'id' });
    expect((await scim('GET', '/Users?count=1', asIdToken)).status).toBe(401);
    // A person's own access token (the app client, scope aws.cognito.signin.user.admin) is no SCIM client's.
    const session = await signIn(env, acme, acme.admin.email, acme.admin.password);
    const personal = session.AuthenticationResult?.AccessToken as string;
    expect((await scim('GET', '/Users?count=1', personal)).status).toBe(401);
    // Nor the administrator's ID token.
    expect((await scim('GET', '/Users?count=1', acmeAdmin)).status).toBe(401);
    // A token the key did not sign.
    const [header, payload] = token.split('.');
    expect((await scim('GET', '/Users?count=1', `${header}.${payload}.AAAA`)).status).toBe(401);
  });

  it('is refused at once when revoked: its tokens, and any new token', async () => {
    const client = await newClient(acme, acmeAdmin, 'To revoke');
    const token = await accessToken(client);
    expect((await scim('GET', '/Users?count=1', token)).status).toBe(200);
    const revoked = await api(env, 'DELETE', `/scim-clients/${client.id}`, { token: acmeAdmin });
    expect(revoked.status).toBe(204);
    const refused = await scim('GET', '/Users?count=1', token);
    expect(refused.status).toBe(401);
    expect(await grant(client)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await api(env, 'DELETE', `/scim-clients/${client.id}`, { token: acmeAdmin })).status).toBe(404);
    const listed = await api<{ items: Body[] }>(env, 'GET', '/scim-clients', { token: acmeAdmin });
    expect(listed.body.items.map((c) => c.id)).not.toContain(client.id);
  });

  it('refuses bad input to its routes with problem+json naming the field, changing nothing', async () => {
    const before = await api<{ items: Body[] }>(env, 'GET', '/scim-clients', { token: acmeAdmin });
    const cases: [string, string, unknown, string][] = [
      ['POST', '/scim-clients', {}, 'body.name'],
      ['POST', '/scim-clients', { name: '   ' }, 'body.name'],
      ['POST', '/scim-clients', { name: 'x'.repeat(101) }, 'body.name'],
      ['POST', '/scim-clients', { name: 'Okta\u202Eevil' }, 'body.name'],
      ['POST', '/scim-clients', { name: '-.-' }, 'body.name'],
      ['POST', '/scim-clients', { name: 'Okta', secret: 'mine' }, 'body.secret'],
      ['DELETE', '/scim-clients/not%20an%20id', undefined, 'params.clientId'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await api<Body>(env, method, path, {
        token: acmeAdmin,
        ...(body === undefined ? {} : { body }),
      });
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.map((e: Body) => e.field)).toContain(field);
    }
    const malformed = await api<Body>(env, 'POST', '/scim-clients', {
      token: acmeAdmin,
      rawBody: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect((await api(env, 'DELETE', '/scim-clients/unknownclient1', { token: acmeAdmin })).status).toBe(404);
    const after = await api<{ items: Body[] }>(env, 'GET', '/scim-clients', { token: acmeAdmin });
    expect(after.body.items).toEqual(before.body.items);
  });
});
