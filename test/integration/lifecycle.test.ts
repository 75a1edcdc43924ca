import { randomUUID } from 'node:crypto';
import { AdminGetUserCommand, ConfirmForgotPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  activeUser,
  adminToken,
  api,
  cognitoClient,
  mailsTo,
  mailTo,
  newProfile,
  outcome,
  refresh,
  signIn,
  temporaryPassword,
} from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];
let admin: string;

beforeAll(async () => {
  admin = await adminToken(env, acme);
});

const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
  api(env, 'POST', path, {
    token: admin,
    ...(body === undefined ? {} : { body }),
    ...(headers ? { headers } : {}),
  });
const login = (email: string) =>
  cognitoClient(env).send(new AdminGetUserCommand({ UserPoolId: acme.userPoolId, Username: email }));

describe('deactivate and activate', () => {
  it('refuses the deactivated user’s sign-in and refresh, and lets them in again once activated', async () => {
    const user = await activeUser(env, acme, admin);

    const off = await post(`/users/${user.id}/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body.status).toBe('inactive');
    expect((await login(user.email)).Enabled).toBe(false);
    expect(await outcome(signIn(env, acme, user.email, user.password))).toMatch(
      /User is disabled|deactivated|archived/,
    );
    expect(await outcome(refresh(env, acme, user.refreshToken))).toMatch(/NotAuthorized/);
    expect((await api(env, 'GET', '/me', { token: user.idToken })).status).toBe(403);

    const on = await post(`/users/${user.id}/activate`);
    expect(on.status).toBe(200);
    expect(on.body.status).toBe('active'); // they had chosen a password: sign-in on again, nothing to redo
    const again = await signIn(env, acme, user.email, user.password);
    expect(again.AuthenticationResult?.IdToken).toBeTruthy();
  });

  it('answers 409 naming the status for a transition the lifecycle does not have', async () => {
    const created = await post('/users', newProfile());
    const response = await post(`/users/${created.body.id}/deactivate`);
    expect(response.status).toBe(409);
    expect(response.body.detail).toBe('Cannot deactivate a user whose status is inactive.');
  });
});

describe('archive and restore', () => {
  it('drops an archived user from the default list, lists them under status=archived, and restores them inactive', async () => {
    const user = await activeUser(env, acme, admin);
    const archived = await post(`/users/${user.id}/archive`);
    expect(archived.body).toMatchObject({ status: 'archived' });
    expect(archived.body.archivedAt).toBeTruthy();
    expect(await outcome(signIn(env, acme, user.email, user.password))).toMatch(
      /User is disabled|deactivated|archived/,
    );

    const ids = async (query: string) => {
      const found: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await api<{ items: { id: string }[]; next?: string }>(
          env,
          'GET',
          `/users?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`,
          { token: admin },
        );
        expect(page.status, JSON.stringify(page.body)).toBe(200);
        found.push(...page.body.items.map((u) => u.id));
        cursor = page.body.next;
      } while (cursor);
      return found;
    };
    expect(await ids('')).not.toContain(user.id);
    expect(await ids('&status=archived')).toContain(user.id);

    const restored = await post(`/users/${user.id}/restore`);
    expect(restored.body).toMatchObject({ status: 'inactive' });
    expect(restored.body).not.toHaveProperty('archivedAt');
    expect(await ids('')).toContain(user.id);
    expect(await outcome(signIn(env, acme, user.email, user.password))).toMatch(
      /User is disabled|deactivated|archived/,
    );
  });
});

describe('delete', () => {
  it('needs the user’s email as confirmation, then removes profile and login and keeps a final snapshot', async () => {
    const user = await activeUser(env, acme, admin, { title: 'Surveyor' });
    const stray = await api(env, 'DELETE', `/users/${user.id}`, {
      token: admin,
      body: { confirmEmail: 'someone@else.com' },
    });
    expect(stray.status).toBe(400);
    expect(stray.body.errors).toEqual([{ field: 'body.confirmEmail', message: expect.any(String) }]);

    const deleted = await api(env, 'DELETE', `/users/${user.id}`, {
      token: admin,
      body: { confirmEmail: user.email },
    });
    expect(deleted.status).toBe(204);
    expect((await api(env, 'GET', `/users/${user.id}`, { token: admin })).status).toBe(404);
    expect(await outcome(login(user.email))).toMatch(/UserNotFoundException/);

    const history = await api<{ items: { action: string; changes: Record<string, { before?: unknown }> }[] }>(
      env,
      'GET',
      `/users/${user.id}/history`,
      { token: admin },
    );
    expect(history.body.items[0]?.action).toBe('user.deleted');
    expect(history.body.items[0]?.changes.title).toEqual({ before: 'Surveyor' });
    expect(history.body.items[0]?.changes.email).toEqual({ before: user.email });

    // The email is free again.
    expect((await post('/users', newProfile({ email: user.email }))).status).toBe(201);
  });
});

describe('passwords', () => {
  it('gives an invited user a fresh invitation: the old temporary password stops working', async () => {
    const profile = newProfile();
    // The id from the answer, not from a page of the list: other suites add users to the same tenant.
    const id = (await post('/users', { ...profile, activate: true })).body.id as string;
    const first = await temporaryPassword(env, profile.email);
    const since = Math.floor(Date.now() / 1000);

    const reset = await post(`/users/${id}/reset-password`);
    expect(reset.status).toBe(202);
    expect(reset.body).toEqual({ userId: id, delivery: 'invitation' });
    const second = await temporaryPassword(env, profile.email, since);
    expect(second).not.toBe(first);
    expect(await outcome(signIn(env, acme, profile.email, first))).toMatch(/NotAuthorized/);
    expect((await signIn(env, acme, profile.email, second)).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  });

  it('sends an active user a reset code, and the new password they choose with it signs in', async () => {
    const user = await activeUser(env, acme, admin);
    const reset = await post(`/users/${user.id}/reset-password`);
    expect(reset.status).toBe(202);
    expect(reset.body.delivery).toBe('reset-code');
    const mail = await mailTo(env, user.email, /Reset your/);
    const code = /password is <b>([^<]+)<\/b>/.exec(mail.body.html ?? '')?.[1] as string;
    expect(code).toBeTruthy();
    expect(await outcome(signIn(env, acme, user.email, user.password))).toMatch(/PasswordResetRequired/);

    await cognitoClient(env).send(
      new ConfirmForgotPasswordCommand({
        ClientId: acme.clientId,
        Username: user.email,
        ConfirmationCode: code,
        Password: 'After-Reset-Pw-77',
      }),
    );
    expect(
      (await signIn(env, acme, user.email, 'After-Reset-Pw-77')).AuthenticationResult?.IdToken,
    ).toBeTruthy();
  });

  it('re-sends the invitation only to users who never signed in', async () => {
    const active = await activeUser(env, acme, admin);
    const refused = await post(`/users/${active.id}/resend-invitation`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('active');
  });

  it('lets an administrator set a password that meets the policy, naming every rule a weak one breaks', async () => {
    const user = await activeUser(env, acme, admin);
    const put = (body: unknown) => api(env, 'PUT', `/users/${user.id}/password`, { token: admin, body });

    const mismatch = await put({ password: 'Good-Password-1', confirmPassword: 'Good-Password-2' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual([
      { field: 'body.confirmPassword', message: 'must be the same as password' },
    ]);
    // Six characters pass the schema (Cognito's floor); the tenant's policy names what else it lacks.
    const weak = await put({ password: 'shorty', confirmPassword: 'shorty' });
    expect(weak.status).toBe(400);
    expect((weak.body.errors as { message: string }[]).map((e) => e.message)).toEqual([
      'must be at least 12 characters',
      'must have an uppercase letter',
      'must have a digit',
    ]);

    expect((await put({ password: 'Set-By-Admin-123', confirmPassword: 'Set-By-Admin-123' })).status).toBe(
      204,
    );
    expect((await signIn(env, acme, user.email, 'Set-By-Admin-123')).AuthenticationResult).toBeTruthy();
    expect(await outcome(signIn(env, acme, user.email, user.password))).toMatch(/NotAuthorized/);

    expect(
      (await put({ password: 'Temporary-Pw-123', confirmPassword: 'Temporary-Pw-123', temporary: true }))
        .status,
    ).toBe(204);
    expect((await signIn(env, acme, user.email, 'Temporary-Pw-123')).ChallengeName).toBe(
      'NEW_PASSWORD_REQUIRED',
    );
  });
});

describe('editing', () => {
  it('needs If-Match, refuses a stale version with 412 and changes nothing', async () => {
    const created = await post('/users', newProfile());
    const path = `/users/${created.body.id}`;
    const missing = await api(env, 'PATCH', path, { token: admin, body: { title: 'Lead' } });
    expect(missing.status).toBe(428);

    const ok = await api(env, 'PATCH', path, {
      token: admin,
      body: { title: 'Lead' },
      headers: { 'if-match': '"1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await api(env, 'PATCH', path, {
      token: admin,
      body: { title: 'Other' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect((await api(env, 'GET', path, { token: admin })).body).toMatchObject({ title: 'Lead', version: 2 });
  });

  it('edits every kind of field, clears optional ones with null, and records before and after', async () => {
    const created = await post(
      '/users',
      newProfile({ comments: 'temporary', mobilePhone: '+47 555 01 234' }),
    );
    const path = `/users/${created.body.id}`;
    const changes = {
      address: { street: '1 Main St', city: 'Bergen', postalCode: '5003', country: 'Norway' },
      employeeId: 'E-77',
      teams: ['north'],
      // Dispatch emails need a technician-level role (README "Profile fields").
      roles: [{ role: 'technician' }],
      notifications: { workOrderDispatch: true },
      availability: { oddWeeks: { monday: 8, friday: 4.5 }, evenWeeks: { monday: 0 } },
      comments: null,
    };
    const edited = await api(env, 'PATCH', path, {
      token: admin,
      body: changes,
      headers: { 'if-match': '"1"' },
    });
    expect(edited.status).toBe(200);
    const { comments: _cleared, ...set } = changes;
    expect(edited.body).toMatchObject({ ...set, mobilePhone: '+47 555 01 234' });
    expect(edited.body).not.toHaveProperty('comments');

    const history = await api<{ items: { action: string; changes: Record<string, unknown> }[] }>(
      env,
      'GET',
      `${path}/history`,
      {
        token: admin,
      },
    );
    expect(history.body.items[0]).toMatchObject({
      action: 'user.edited',
      changes: { comments: { before: 'temporary' }, employeeId: { after: 'E-77' } },
    });
  });

  it('moves the sign-in email in Cognito too', async () => {
    const user = await activeUser(env, acme, admin);
    const email = `moved.${randomUUID().slice(0, 8)}@example.com`;
    const edited = await api(env, 'PATCH', `/users/${user.id}`, {
      token: admin,
      body: { email },
      headers: { 'if-match': '"2"' },
    });
    expect(edited.status).toBe(200);
    expect((await signIn(env, acme, email, user.password)).AuthenticationResult).toBeTruthy();
    expect(await outcome(signIn(env, acme, user.email, user.password))).toMatch(/NotAuthorized/);
  });

  it('lets exactly one of two edits made from the same version win', async () => {
    const created = await post('/users', newProfile());
    const edit = (title: string) =>
      api(env, 'PATCH', `/users/${created.body.id}`, {
        token: admin,
        body: { title },
        headers: { 'if-match': '"1"' },
      });
    const statuses = (await Promise.all([edit('A'), edit('B')])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412]);
  });
});

describe('the last administrator', () => {
  it('cannot be deactivated, archived or deleted, nor strip their own role', async () => {
    const globexAdmin = await adminToken(env, globex);
    const me = await api(env, 'GET', '/me', { token: globexAdmin });
    const path = `/users/${me.body.id}`;
    const as = { token: globexAdmin };
    for (const response of [
      await api(env, 'POST', `${path}/deactivate`, as),
      await api(env, 'POST', `${path}/archive`, as),
      await api(env, 'DELETE', path, { ...as, body: { confirmEmail: globex.admin.email } }),
    ]) {
      expect(response.status).toBe(409);
      expect(response.body.title).toBe('Last administrator');
    }
    // Only an administrator may take the role away, and nobody changes their own roles; the count in every
    // transaction refuses it under any race (unit-tested).
    const strip = await api(env, 'PATCH', path, {
      ...as,
      body: { roles: [] },
      headers: { 'if-match': `"${me.body.version}"` },
    });
    expect(strip.status).toBe(403);
    expect(strip.body.detail).toBe('You cannot change your own roles.');
    expect((await api(env, 'GET', '/me', as)).body).toMatchObject({
      status: 'active',
      version: me.body.version,
    });
  });
});

describe('history', () => {
  it('reads a user’s changes newest first, page by page, with actor and request id and no secrets', async () => {
    const user = await activeUser(env, acme, admin);
    await post(`/users/${user.id}/reset-password`);
    const entries: { action: string; actor: { name: string }; requestId: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await api<{ items: typeof entries; next?: string }>(
        env,
        'GET',
        `/users/${user.id}/history?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin },
      );
      expect(page.status).toBe(200);
      entries.push(...page.body.items);
      cursor = page.body.next;
    } while (cursor);
    expect(entries.map((e) => e.action)).toEqual(['user.password.reset', 'user.registered', 'user.created']);
    expect(entries[0]?.actor.name).toBe('Demo Acme Admin');
    expect(entries[1]?.actor.name).toBe('Sign-in');
    expect(entries.every((e) => e.requestId)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(user.password);
  });

  it('reads the whole tenant’s history, and another tenant’s user’s history is a 404', async () => {
    const created = await post('/users', newProfile());
    const tenant = await api<{ items: { userId: string }[] }>(env, 'GET', '/history?limit=5', {
      token: admin,
    });
    expect(tenant.body.items.map((e) => e.userId)).toContain(created.body.id);
    const foreign = await api(env, 'GET', `/users/${created.body.id}/history`, {
      token: await adminToken(env, globex),
    });
    expect(foreign.status).toBe(404);
  });
});

describe('idempotency', () => {
  it('answers a retry with the first result and does nothing twice', async () => {
    const key = randomUUID();
    const body = { ...newProfile(), activate: true };
    const first = await post('/users', body, { 'idempotency-key': key });
    const again = await post('/users', body, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await mailsTo(env, body.email)).length).toBe(1);

    const other = await post('/users', { ...body, firstName: 'Else' }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
  });

  it('makes exactly one user, one login and one history entry of 20 parallel creates with one key', async () => {
    const key = randomUUID();
    const body = { ...newProfile(), activate: true };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post('/users', body, { 'idempotency-key': key })),
    );
    const created = responses.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const id = created[0]?.body.id as string;
    const history = await api<{ items: unknown[] }>(env, 'GET', `/users/${id}/history`, { token: admin });
    expect(history.body.items).toHaveLength(1);
    expect((await login(body.email)).UserAttributes?.find((a) => a.Name === 'custom:userId')?.Value).toBe(id);
    expect((await mailsTo(env, body.email)).length).toBe(1);
  });
});
