import { describe, expect, inject, it } from 'vitest';
import { adminToken, api, completeNewPassword, mailTo, newProfile, signIn } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];

describe('the first journey: add, activate, welcome mail, first sign-in', () => {
  it('takes a new user from added to active through the welcome mail and a new password', async () => {
    const admin = await adminToken(env, acme);
    const profile = newProfile({ title: 'Field engineer', address: { city: 'Jönköping' } });

    const created = await api(env, 'POST', '/users', { token: admin, body: profile });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'inactive', email: profile.email, version: 1 });
    expect(created.headers.get('etag')).toBe('"1"');
    const userId = created.body.id as string;

    const activated = await api(env, 'POST', `/users/${userId}/activate`, { token: admin });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ status: 'invited', version: 2 });

    const mail = await mailTo(env, profile.email, /Welcome to Acme/);
    const temporary = /temporary password: <b>([^<]+)<\/b>/.exec(mail.body.html ?? mail.body.text ?? '')?.[1];
    expect(temporary).toBeTruthy();
    expect(mail.body.html ?? mail.body.text).toContain(profile.email);

    const first = await signIn(env, acme, profile.email, temporary as string);
    expect(first.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const done = await completeNewPassword(
      env,
      acme,
      profile.email,
      first.Session as string,
      'Brand-New-Pass-42',
    );
    const token = done.AuthenticationResult?.IdToken as string;
    expect(token).toBeTruthy();

    const me = await api(env, 'GET', '/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: userId, status: 'active', email: profile.email });
    expect(me.body.registeredAt).toEqual(me.body.lastLoginAt);
  });

  it('creates and activates in one request with "activate": true', async () => {
    const admin = await adminToken(env, acme);
    const profile = newProfile();
    const created = await api(env, 'POST', '/users', { token: admin, body: { ...profile, activate: true } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'invited', version: 1 });
    await mailTo(env, profile.email, /Welcome to Acme/);
  });
});

describe('tenancy', () => {
  it("answers another tenant's admin 404 for a user, exactly as for one that does not exist", async () => {
    const created = await api(env, 'POST', '/users', {
      token: await adminToken(env, acme),
      body: newProfile(),
    });
    const otherAdmin = await adminToken(env, globex);

    const foreign = await api(env, 'GET', `/users/${created.body.id}`, { token: otherAdmin });
    const missing = await api(env, 'GET', '/users/00000000-0000-4000-8000-000000000000', {
      token: otherAdmin,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect(foreign.headers.get('content-type')).toBe('application/problem+json');

    const activate = await api(env, 'POST', `/users/${created.body.id}/activate`, { token: otherAdmin });
    expect(activate.status).toBe(404);
  });

  it("never lists another tenant's users", async () => {
    const created = await api(env, 'POST', '/users', {
      token: await adminToken(env, acme),
      body: newProfile(),
    });
    const otherAdmin = await adminToken(env, globex);
    let cursor: string | undefined;
    const seen: string[] = [];
    do {
      const page = await api<{ items: { id: string }[]; next?: string }>(
        env,
        'GET',
        `/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        { token: otherAdmin },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((u) => u.id));
      cursor = page.body.next;
    } while (cursor);
    expect(seen).not.toContain(created.body.id);
  });
});
