import { describe, expect, it } from 'vitest';
import { diff } from '#domain/history.ts';
import { invited, registered } from '#domain/user.ts';
import { aUser } from '#test/unit/fixtures.ts';

const by = { id: 'admin', name: 'Admin' };

describe('history diff', () => {
  it('names each changed field with before and after, and leaves bookkeeping out', () => {
    const before = aUser({ title: 'Engineer' });
    const after = { ...before, title: 'Lead', company: 'Acme', version: 2, updatedAt: 'later' };
    expect(diff(before, after)).toEqual({
      title: { before: 'Engineer', after: 'Lead' },
      company: { after: 'Acme' },
    });
  });

  it('compares nested values by content', () => {
    const before = aUser({ address: { city: 'Oslo' } });
    expect(diff(before, { ...before, address: { city: 'Oslo' } })).toEqual({});
    expect(diff(before, { ...before, address: { city: 'Bergen' } })).toEqual({
      address: { before: { city: 'Oslo' }, after: { city: 'Bergen' } },
    });
  });
});

describe('lifecycle', () => {
  it('activates only an inactive user, naming the status otherwise', () => {
    const user = invited(aUser(), 'sub', by, '2026-02-01T00:00:00.000Z');
    expect(user).toMatchObject({ status: 'invited', cognitoSub: 'sub', version: 2, updatedBy: by });
    expect(() => invited(user, 'sub', by, 'now')).toThrow('Cannot activate a user whose status is invited.');
  });

  it('registers only an invited user', () => {
    const at = '2026-02-02T00:00:00.000Z';
    expect(registered(aUser({ status: 'invited' }), at)).toMatchObject({
      status: 'active',
      registeredAt: at,
      lastLoginAt: at,
    });
    expect(() => registered(aUser({ status: 'active' }), at)).toThrow('status is active');
  });
});
