import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  activeUser,
  adminToken,
  api,
  completeNewPassword,
  newProfile,
  outcome,
  signIn,
  temporaryPassword,
} from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];
let admin: string;

beforeAll(async () => {
  admin = await adminToken(env, acme);
});

const create = (body: Record<string, unknown>, token = admin) => api(env, 'POST', '/users', { token, body });
const claims = (idToken: string) =>
  JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString('utf8')) as Record<
    string,
    string
  >;

describe('the role catalogue', () => {
  it('starts with the nine roles, with their scopes and rules', async () => {
    const roles = await api<{
      items: { id: string; scope: string; exclusive: boolean; requiredFeature?: string }[];
    }>(env, 'GET', '/roles', { token: admin });
    expect(roles.status).toBe(200);
    const byId = Object.fromEntries(roles.body.items.map((r) => [r.id, r]));
    for (const id of [
      'administrator',
      'accountant',
      'technician',
      'work-manager',
      'work-manager-read-only',
      'team-work-manager',
      'area-work-manager',
      'team-administrator',
      'area-administrator',
    ]) {
      expect(byId[id], id).toBeDefined();
    }
    expect(byId.technician).toMatchObject({ exclusive: true, requiredFeature: 'technician-users' });
    expect(byId['team-work-manager']).toMatchObject({ exclusive: true, scope: 'team' });
    expect(byId['area-administrator']).toMatchObject({ scope: 'area' });
  });

  it('creates, edits and deletes a role, each in the history; a role in use says how many hold it', async () => {
    const name = `Ticket Agent ${randomUUID().slice(0, 6)}`;
    const created = await api(env, 'POST', '/roles', {
      token: admin,
      body: { name, permissions: ['tickets.read'], scope: 'client', module: 'tickets' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const edited = await api(env, 'PATCH', `/roles/${id}`, {
      token: admin,
      body: { permissions: ['tickets.read', 'tickets.reply'] },
      headers: { 'if-match': '"1"' },
    });
    expect(edited.status).toBe(200);
    expect(edited.headers.get('etag')).toBe('"2"');

    const holder = await create({
      ...newProfile(),
      userType: 'external',
      clientOrganisation: 'contoso',
      roles: [{ role: id, client: 'contoso' }],
    });
    expect(holder.status).toBe(201);
    const inUse = await api(env, 'DELETE', `/roles/${id}`, { token: admin });
    expect(inUse.status).toBe(409);
    expect(inUse.body.detail).toContain('held by 1 user');

    await api(env, 'DELETE', `/users/${holder.body.id}`, {
      token: admin,
      body: { confirmEmail: holder.body.email },
    });
    expect((await api(env, 'DELETE', `/roles/${id}`, { token: admin })).status).toBe(204);
    const history = await api<{ items: { userId: string; action: string }[] }>(
      env,
      'GET',
      '/history?limit=20',
      { token: admin },
    );
    const actions = history.body.items.filter((e) => e.userId === `role:${id}`).map((e) => e.action);
    expect(actions).toEqual(['role.deleted', 'role.edited', 'role.created']);
  });

  it('keeps the Administrator role as it is', async () => {
    const edit = await api(env, 'PATCH', '/roles/administrator', {
      token: admin,
      body: { permissions: [] },
      headers: { 'if-match': '"1"' },
    });
    expect(edit.status).toBe(409);
    expect((await api(env, 'DELETE', '/roles/administrator', { token: admin })).status).toBe(409);
  });
});

describe('assigning roles', () => {
  const refused = async (roles: unknown[], status: number, words: RegExp, token = admin) => {
    const response = await create({ ...newProfile({ teams: ['north'] }), roles }, token);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(JSON.stringify(response.body)).toMatch(words);
  };

  it('names the rule each refused combination breaks', async () => {
    await refused([{ role: 'technician' }, { role: 'accountant' }], 409, /cannot be combined/);
    await refused([{ role: 'work-manager' }, { role: 'work-manager-read-only' }], 409, /one per module/);
    await refused([{ role: 'team-work-manager' }], 400, /teams.*is required/);
    await refused([{ role: 'team-work-manager', teams: ['atlantis'] }], 400, /unknown: atlantis/);
    await refused([{ role: 'accountant', teams: ['north'] }], 400, /does not apply/);
    await refused([{ role: 'no-such-role' }], 400, /not a role of this tenant/);
  });

  it('refuses a role whose feature the tenant lacks', async () => {
    const response = await create(
      { ...newProfile(), roles: [{ role: 'technician' }] },
      await adminToken(env, globex),
    );
    expect(response.status).toBe(409);
    expect(response.body.detail).toContain('technician-users');
  });
});

describe('a team administrator', () => {
  let teamAdmin: string;
  let teamAdminId: string;
  beforeAll(async () => {
    const user = await activeUser(env, acme, admin, {
      teams: ['north'],
      roles: [{ role: 'team-administrator', teams: ['north'] }],
    });
    teamAdmin = user.idToken;
    teamAdminId = user.id;
  });

  it('manages a member of their team, and another team’s user is a 404 to them', async () => {
    const member = await create({ ...newProfile({ teams: ['north'] }) });
    const stranger = await create({ ...newProfile({ teams: ['south'] }) });
    expect((await api(env, 'GET', `/users/${member.body.id}`, { token: teamAdmin })).status).toBe(200);
    expect((await api(env, 'POST', `/users/${member.body.id}/activate`, { token: teamAdmin })).status).toBe(
      200,
    );
    const hidden = await api(env, 'GET', `/users/${stranger.body.id}`, { token: teamAdmin });
    expect(hidden.status).toBe(404);
    expect((await api(env, 'POST', `/users/${stranger.body.id}/activate`, { token: teamAdmin })).status).toBe(
      404,
    );

    const listed = await api<{ items: { teams?: string[] }[] }>(env, 'GET', '/users?limit=100', {
      token: teamAdmin,
    });
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(listed.body.items.every((u) => u.teams?.includes('north'))).toBe(true);
  });

  it('cannot give a role they do not hold the permissions of, nor beyond their teams, nor change their own roles', async () => {
    await expect(
      create({ ...newProfile({ teams: ['north'] }), roles: [{ role: 'administrator' }] }, teamAdmin).then(
        (r) => r.status,
      ),
    ).resolves.toBe(403);
    const wider = await create(
      { ...newProfile({ teams: ['north'] }), roles: [{ role: 'team-administrator', teams: ['south'] }] },
      teamAdmin,
    );
    expect(wider.status).toBe(403);
    const outside = await create({ ...newProfile({ teams: ['south'] }) }, teamAdmin);
    expect(outside.status).toBe(403);
    const me = await api(env, 'GET', '/me', { token: teamAdmin });
    const own = await api(env, 'PATCH', `/users/${teamAdminId}`, {
      token: teamAdmin,
      body: { roles: [{ role: 'team-administrator', teams: ['north', 'south'] }] },
      headers: { 'if-match': `"${me.body.version}"` },
    });
    expect(own.status).toBe(403);
  });
});

describe('a client administrator', () => {
  it('manages only the external users of their client organisation', async () => {
    const clientAdminRole = await api(env, 'POST', '/roles', {
      token: admin,
      body: {
        name: `Client Admin ${randomUUID().slice(0, 6)}`,
        permissions: ['users.read', 'users.update'],
        scope: 'client',
      },
    });
    const clientAdmin = await activeUser(env, acme, admin, {
      userType: 'external',
      clientOrganisation: 'contoso',
      roles: [{ role: clientAdminRole.body.id, client: 'contoso' }],
    });
    const ours = await create({ ...newProfile(), userType: 'external', clientOrganisation: 'contoso' });
    const theirs = await create({ ...newProfile(), userType: 'external', clientOrganisation: 'fabrikam' });
    const internal = await create({ ...newProfile() });
    expect((await api(env, 'GET', `/users/${ours.body.id}`, { token: clientAdmin.idToken })).status).toBe(
      200,
    );
    expect((await api(env, 'GET', `/users/${theirs.body.id}`, { token: clientAdmin.idToken })).status).toBe(
      404,
    );
    expect((await api(env, 'GET', `/users/${internal.body.id}`, { token: clientAdmin.idToken })).status).toBe(
      404,
    );
  });
});

describe('licences', () => {
  it('counts seats per type and refuses one beyond them', async () => {
    const globexAdmin = await adminToken(env, globex);
    const before = await api<{ items: { type: string; seats: number; used: number; free: number }[] }>(
      env,
      'GET',
      '/licences',
      {
        token: globexAdmin,
      },
    );
    const planner = before.body.items.find((l) => l.type === 'planner');
    expect(planner).toMatchObject({ seats: 1 });
    const used = planner?.used ?? 0;
    if (used === 0) {
      expect((await create({ ...newProfile(), licenceType: 'planner' }, globexAdmin)).status).toBe(201);
    }
    const beyond = await create({ ...newProfile(), licenceType: 'planner' }, globexAdmin);
    expect(beyond.status).toBe(409);
    expect(beyond.body.title).toBe('No licence left');
    const after = await api<{ items: { type: string; used: number; free: number }[] }>(
      env,
      'GET',
      '/licences',
      { token: globexAdmin },
    );
    expect(after.body.items.find((l) => l.type === 'planner')).toMatchObject({ used: 1, free: 0 });
    expect((await create({ ...newProfile(), licenceType: 'pilot' }, globexAdmin)).status).toBe(400);
  });
});

describe('sign-in and tokens', () => {
  it('puts tenant, user, roles and permissions into the ID token', async () => {
    const user = await activeUser(env, acme, admin, {
      teams: ['north'],
      roles: [{ role: 'team-work-manager', teams: ['north'] }],
    });
    const token = claims(user.idToken);
    expect(token['gatehouse:tenant']).toBe('acme');
    expect(token['gatehouse:user']).toBe(user.id);
    expect(JSON.parse(token['gatehouse:roles'] as string)).toEqual([
      { role: 'team-work-manager', teams: ['north'] },
    ]);
    expect(token['gatehouse:permissions']?.split(' ')).toEqual([
      'workorders.dispatch',
      'workorders.read',
      'workorders.write',
    ]);
  });

  it('refuses an unlicensed user where the tenant requires a licence, in words a person understands', async () => {
    const globexAdmin = await adminToken(env, globex);
    const profile = newProfile();
    await create({ ...profile, activate: true }, globexAdmin);
    const temporary = await temporaryPassword(env, profile.email);
    expect(await outcome(signIn(env, globex, profile.email, temporary))).toMatch(
      /Your account has no licence to sign in\. Please contact your administrator\.$/,
    );
  });

  it('refuses an archived user at sign-in before any password is checked', async () => {
    const profile = newProfile();
    const created = await create({ ...profile, activate: true });
    const temporary = await temporaryPassword(env, profile.email);
    const first = await signIn(env, acme, profile.email, temporary);
    await completeNewPassword(env, acme, profile.email, first.Session as string, 'Archived-Soon-Pw-1');
    await api(env, 'POST', `/users/${created.body.id}/archive`, { token: admin });
    expect(await outcome(signIn(env, acme, profile.email, 'wrong password'))).toMatch(/archived/);
  });
});
