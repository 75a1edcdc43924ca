import { describe, expect, it } from 'vitest';
import { accessOf, checkGrant, covers, NOWHERE } from '#domain/access.ts';
import { Forbidden, InvalidInput, RoleRuleBroken } from '#domain/errors.ts';
import {
  BUILT_IN_ROLES,
  checkAssignments,
  type Role,
  type RoleAssignment,
  type TenantOrganisation,
} from '#domain/roles.ts';

const catalogue = new Map<string, Role>(BUILT_IN_ROLES.map((r) => [r.id, r]));
const tenant: TenantOrganisation = {
  features: ['technician-users'],
  teams: ['north', 'south'],
  areas: ['oslo'],
  clients: ['contoso'],
};
const check =
  (roles: RoleAssignment[], t = tenant) =>
  () =>
    checkAssignments(roles, catalogue, t);

describe('assignment rules', () => {
  it('accepts a valid set: a module role, a scoped administrator and an unscoped role', () => {
    expect(
      check([
        { role: 'work-manager' },
        { role: 'team-administrator', teams: ['north'] },
        { role: 'accountant' },
      ]),
    ).not.toThrow();
  });

  it('refuses an exclusive role combined with another', () => {
    expect(check([{ role: 'technician' }, { role: 'accountant' }])).toThrow(RoleRuleBroken);
    expect(check([{ role: 'team-work-manager', teams: ['north'] }, { role: 'accountant' }])).toThrow(
      'Team Work Manager cannot be combined with other roles.',
    );
    expect(check([{ role: 'technician' }])).not.toThrow();
  });

  it('refuses a role whose feature the tenant lacks', () => {
    expect(check([{ role: 'technician' }], { ...tenant, features: [] })).toThrow(
      /needs the tenant feature technician-users/,
    );
  });

  it('refuses two roles of one module', () => {
    expect(check([{ role: 'work-manager' }, { role: 'work-manager-read-only' }])).toThrow(/one per module/);
  });

  it('names the field of missing, misplaced and unknown scope values, and of unknown roles', () => {
    const issues = (roles: RoleAssignment[]) => {
      try {
        checkAssignments(roles, catalogue, tenant);
      } catch (error) {
        if (error instanceof InvalidInput) return error.issues.map((i) => i.field);
        throw error;
      }
      throw new Error('expected InvalidInput');
    };
    expect(issues([{ role: 'team-administrator' }])).toEqual(['body.roles.0.teams']);
    expect(issues([{ role: 'area-administrator', areas: ['bergen'] }])).toEqual(['body.roles.0.areas']);
    expect(issues([{ role: 'accountant', client: 'contoso' }])).toEqual(['body.roles.0.client']);
    expect(issues([{ role: 'emperor' }])).toEqual(['body.roles.0.role']);
    expect(issues([{ role: 'accountant' }, { role: 'accountant' }])).toEqual(['body.roles']);
  });

  it('accepts any scope value where the tenant lists none', () => {
    expect(check([{ role: 'team-administrator', teams: ['anything'] }], { features: [] })).not.toThrow();
  });
});

describe('access', () => {
  const teamAdmin = accessOf([{ role: 'team-administrator', teams: ['north'] }], catalogue);

  it('reaches users of the scope’s teams, areas or client, and nobody else', () => {
    const reach = teamAdmin.reach('users.update');
    expect(covers(reach, { teams: ['north'], userType: 'internal' })).toBe(true);
    expect(covers(reach, { teams: ['south'], userType: 'internal' })).toBe(false);
    expect(covers(reach, { userType: 'internal' })).toBe(false);
    expect(teamAdmin.reach('users.delete')).toEqual(NOWHERE);
  });

  it('reaches only the external users of a client scope', () => {
    const clientRole: Role = {
      ...(catalogue.get('accountant') as Role),
      id: 'client-admin',
      scope: 'client',
      permissions: ['users.read'],
    };
    const access = accessOf(
      [{ role: 'client-admin', client: 'contoso' }],
      new Map([['client-admin', clientRole]]),
    );
    const reach = access.reach('users.read');
    expect(covers(reach, { userType: 'external', clientOrganisation: 'contoso' })).toBe(true);
    expect(covers(reach, { userType: 'external', clientOrganisation: 'fabrikam' })).toBe(false);
    expect(covers(reach, { userType: 'internal', clientOrganisation: 'contoso' })).toBe(false);
  });

  it('gives the Administrator every permission of the catalogue, tenant-wide', () => {
    const admin = accessOf([{ role: 'administrator' }], catalogue);
    expect(admin.has('workorders.update-own')).toBe(true);
    expect(admin.reach('users.delete')).toEqual({ tenantWide: true });
  });
});

describe('no escalation', () => {
  const teamAdmin = {
    id: 'me',
    access: accessOf([{ role: 'team-administrator', teams: ['north'] }], catalogue),
  };
  const asTeamAdmin =
    (after: RoleAssignment[], before: RoleAssignment[] = [], target = 'someone') =>
    () =>
      checkGrant(
        { ...teamAdmin, reach: teamAdmin.access.reach('users.update') },
        { id: target },
        before,
        after,
        catalogue,
      );

  it('refuses a role carrying a permission the caller lacks', () => {
    expect(asTeamAdmin([{ role: 'administrator' }])).toThrow(Forbidden);
    expect(asTeamAdmin([{ role: 'work-manager' }])).toThrow(/workorders/);
  });

  it('refuses a scoped role beyond the caller’s own scope, and any tenant-wide role', () => {
    expect(asTeamAdmin([{ role: 'team-administrator', teams: ['south'] }])).toThrow(/beyond/);
    expect(asTeamAdmin([{ role: 'team-administrator', teams: ['north'] }])).not.toThrow();
  });

  it('refuses any change of the caller’s own roles, and lets roles they already had stay', () => {
    expect(asTeamAdmin([], [{ role: 'team-administrator', teams: ['north'] }], 'me')).toThrow(
      'You cannot change your own roles.',
    );
    const kept = [{ role: 'administrator' }];
    expect(asTeamAdmin(kept, kept)).not.toThrow();
  });
});
