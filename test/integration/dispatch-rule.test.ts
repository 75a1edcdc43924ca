// Work-order dispatch emails: only while the user holds a technician-level role.
import { describe, expect, inject, it } from 'vitest';
import { adminToken, api, newProfile } from '#test/support/offline.ts';
import { countItems } from '#test/support/tables.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];

type UserBody = { id: string; version: number; notifications?: { workOrderDispatch?: boolean } };
type HistoryBody = { items: { action: string; changes: Record<string, unknown> }[] };

describe('the work-order dispatch setting', () => {
  it('is refused with 409 naming the rule for a user without a technician role, storing nothing', async () => {
    const admin = await adminToken(env, acme);
    const before = await countItems(env);
    const response = await api<{ status: number; detail: string }>(env, 'POST', '/users', {
      token: admin,
      body: newProfile({ notifications: { workOrderDispatch: true } }),
    });
    expect(response.status).toBe(409);
    expect(response.body.detail).toMatch(/technician-level role/);
    expect(await countItems(env)).toEqual(before);

    const plain = await api<UserBody>(env, 'POST', '/users', { token: admin, body: newProfile() });
    const edit = await api(env, 'PATCH', `/users/${plain.body.id}`, {
      token: admin,
      body: { notifications: { workOrderDispatch: true } },
      headers: { 'if-match': `"${plain.body.version}"` },
    });
    expect(edit.status).toBe(409);
  });

  it('goes with the last technician role, in the same change and history entry', async () => {
    const admin = await adminToken(env, acme);
    const created = await api<UserBody>(env, 'POST', '/users', {
      token: admin,
      body: newProfile({ roles: [{ role: 'technician' }], notifications: { workOrderDispatch: true } }),
    });
    expect(created.status).toBe(201);
    expect(created.body.notifications).toEqual({ workOrderDispatch: true });

    const edited = await api<UserBody>(env, 'PATCH', `/users/${created.body.id}`, {
      token: admin,
      body: { roles: [{ role: 'accountant' }] },
      headers: { 'if-match': `"${created.body.version}"` },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.notifications?.workOrderDispatch).toBeUndefined();
    expect(edited.body.version).toBe(created.body.version + 1);

    const history = await api<HistoryBody>(env, 'GET', `/users/${created.body.id}/history?limit=1`, {
      token: admin,
    });
    expect(history.body.items[0]?.action).toBe('user.edited');
    expect(Object.keys(history.body.items[0]?.changes ?? {}).sort()).toEqual(['notifications', 'roles']);
  });
});
