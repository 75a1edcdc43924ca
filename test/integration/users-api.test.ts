import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, inject, it } from 'vitest';
import {
  adminToken,
  api,
  cognitoClient,
  completeNewPassword,
  mailTo,
  newProfile,
  signIn,
} from '#test/support/offline.ts';
import { countItems } from '#test/support/tables.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];

/** Everything the stores hold: rows per table and Cognito users of the tenant's pool. */
async function snapshot() {
  const { Users = [] } = await cognitoClient(env).send(new ListUsersCommand({ UserPoolId: acme.userPoolId }));
  return { ...(await countItems(env)), cognitoUsers: Users.length };
}

describe('adding users', () => {
  it('refuses a duplicate email with 409, whatever its case', async () => {
    const admin = await adminToken(env, acme);
    const profile = newProfile();
    expect((await api(env, 'POST', '/users', { token: admin, body: profile })).status).toBe(201);
    const before = await snapshot();

    const again = await api(env, 'POST', '/users', {
      token: admin,
      body: { ...newProfile(), email: profile.email.toUpperCase() },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ title: 'Email already in use', status: 409 });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a duplicate email of an invited user on create-and-activate, leaving no login behind', async () => {
    const admin = await adminToken(env, acme);
    const profile = newProfile();
    const first = await api(env, 'POST', '/users', { token: admin, body: { ...profile, activate: true } });
    expect(first.status).toBe(201);
    const before = await snapshot();
    const again = await api(env, 'POST', '/users', {
      token: admin,
      body: { ...newProfile(), email: profile.email, activate: true },
    });
    expect(again.status).toBe(409);
    expect(await snapshot()).toEqual(before);
  });

  it('removes the new login when the profile write is refused for an inactive duplicate', async () => {
    const admin = await adminToken(env, acme);
    const profile = newProfile();
    expect((await api(env, 'POST', '/users', { token: admin, body: profile })).status).toBe(201);
    const before = await snapshot();
    const again = await api(env, 'POST', '/users', {
      token: admin,
      body: { ...newProfile(), email: profile.email, activate: true },
    });
    expect(again.status).toBe(409);
    expect(await snapshot()).toEqual(before);
  });

  it('answers 409 naming the status when activating a user who is not inactive', async () => {
    const admin = await adminToken(env, acme);
    const created = await api(env, 'POST', '/users', {
      token: admin,
      body: { ...newProfile(), activate: true },
    });
    const again = await api(env, 'POST', `/users/${created.body.id}/activate`, { token: admin });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('invited');
  });
});

describe('bad input', () => {
  const cases: [string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, string[]][] =
    [
      [
        'wrong types',
        { body: { ...newProfile(), firstName: 42, mayCreateTickets: 'yes' } },
        ['body.firstName', 'body.mayCreateTickets'],
      ],
      [
        'unknown fields',
        { body: { ...newProfile(), isAdmin: true, status: 'active' } },
        ['body.isAdmin', 'body.status'],
      ],
      [
        'oversized strings',
        { body: { ...newProfile(), lastName: 'x'.repeat(101), comments: 'y'.repeat(2001) } },
        ['body.lastName', 'body.comments'],
      ],
      [
        'a missing required field and a bad email',
        { body: { firstName: 'Ada', email: 'not-an-email' } },
        ['body.lastName', 'body.email'],
      ],
      [
        'availability hours beyond a day',
        { body: { ...newProfile(), availability: { oddWeeks: { monday: 25 } } } },
        ['body.availability.oddWeeks.monday'],
      ],
      ['an unknown role', { body: { ...newProfile(), roles: [{ role: 'Emperor' }] } }, ['body.roles.0.role']],
      ['malformed JSON', { rawBody: '{"firstName": "Ada",' }, ['body']],
      [
        'a body that is not JSON',
        { rawBody: 'firstName=Ada', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        ['body'],
      ],
      ['no body at all', {}, ['body']],
    ];

  it.each(
    cases,
  )('answers 400 naming the fields for %s, and changes nothing', async (_name, request, fields) => {
    const admin = await adminToken(env, acme);
    const before = await snapshot();
    const response = await api<{ errors: { field: string }[] }>(env, 'POST', '/users', {
      token: admin,
      ...request,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors.map((e) => e.field)).toEqual(expect.arrayContaining(fields));
    expect(await snapshot()).toEqual(before);
  });

  it('answers 400 for a malformed user id, a bad limit and a forged cursor', async () => {
    const admin = await adminToken(env, acme);
    const badId = await api<{ errors: { field: string }[] }>(env, 'GET', '/users/not-a-uuid', {
      token: admin,
    });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0]?.field).toBe('params.userId');
    const badLimit = await api<{ errors: { field: string }[] }>(env, 'GET', '/users?limit=500', {
      token: admin,
    });
    expect(badLimit.body.errors[0]?.field).toBe('query.limit');
    const forged = Buffer.from(JSON.stringify({ sk: 'EMAIL#someone' })).toString('base64url');
    const badCursor = await api<{ errors: { field: string }[] }>(env, 'GET', `/users?cursor=${forged}`, {
      token: admin,
    });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors[0]?.field).toBe('query.cursor');
    const unknown = await api<{ errors: { field: string }[] }>(env, 'GET', '/users?sort=name', {
      token: admin,
    });
    expect(unknown.body.errors[0]?.field).toBe('query.sort');
  });
});

describe('who may call', () => {
  it('answers 401 without a token and with a forged one', async () => {
    const none = await api(env, 'GET', '/users');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const token = await adminToken(env, acme);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    expect((await api(env, 'GET', '/users', { token: forged })).status).toBe(401);
  });

  it('answers 403 to a signed-in user who is not an administrator, and lets them read /me', async () => {
    const admin = await adminToken(env, acme);
    const profile = newProfile({ roles: [{ role: 'technician' }] });
    const created = await api(env, 'POST', '/users', { token: admin, body: { ...profile, activate: true } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const mail = await mailTo(env, profile.email, /Welcome/);
    const temporary = /temporary password: <b>([^<]+)<\/b>/.exec(mail.body.html ?? '')?.[1] as string;
    const first = await signIn(env, acme, profile.email, temporary);
    const done = await completeNewPassword(
      env,
      acme,
      profile.email,
      first.Session as string,
      'Tech-Password-123',
    );
    const token = done.AuthenticationResult?.IdToken as string;

    expect((await api(env, 'GET', '/users', { token })).status).toBe(403);
    expect((await api(env, 'POST', '/users', { token, body: newProfile() })).status).toBe(403);
    const me = await api(env, 'GET', '/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.roles).toEqual([{ role: 'technician' }]);
  });
});

describe('listing users', () => {
  it('pages through every user once, with limit and cursor', async () => {
    const admin = await adminToken(env, acme);
    for (let i = 0; i < 5; i++) await api(env, 'POST', '/users', { token: admin, body: newProfile() });
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api<{ items: { id: string }[]; next?: string }>(
        env,
        'GET',
        `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      ids.push(...page.body.items.map((u) => u.id));
      cursor = page.body.next;
    } while (cursor);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(6);
  });
});
