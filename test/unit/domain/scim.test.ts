// SCIM's filter language and PATCH, and the mapping between a SCIM User and the profile: pure rules.
import { describe, expect, it } from 'vitest';
import { matches, parseFilter, ScimRefused } from '#domain/scim-filter.ts';
import { applyPatch } from '#domain/scim-patch.ts';
import { caseExact, profileOf, SCIM, ScimUserSchema, USER_SCHEMAS } from '#domain/scim-resources.ts';

const user = {
  schemas: [SCIM.user, SCIM.enterprise],
  id: 'u1',
  externalId: 'Ext-1',
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  active: true,
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
  phoneNumbers: [{ value: '+47 1234', type: 'mobile' }],
  [SCIM.enterprise]: { department: 'Maths' },
};

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimRefused) return `${error.status} ${error.scimType}`;
    throw error;
  }
  throw new Error('did not refuse');
};

describe('SCIM filters', () => {
  it.each([
    ['userName eq "ADA@example.com"', true],
    ['userName eq "ada@example.org"', false],
    ['externalId eq "ext-1"', false],
    ['externalId eq "Ext-1"', true],
    ['emails[type eq "work"].value eq "ada@example.com"', true],
    ['emails[type eq "home"].value eq "ada@example.com"', false],
    ['emails.value co "@example"', true],
    ['userName sw "ada" and active eq true', true],
    ['active eq false or name.familyName ew "lace"', true],
    ['not (active eq true)', false],
    ['title pr', false],
    ['phoneNumbers pr', true],
    [`${SCIM.enterprise}:department eq "maths"`, true],
    ['(userName eq "x@y.z" or userName eq "ada@example.com") and active eq true', true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(user, parseFilter(filter), caseExact)).toBe(expected);
  });

  it.each([
    ['level eq 3', true],
    ['level ne 3', false],
    ['level gt 2', true],
    ['level ge 3', true],
    ['level lt 3', false],
    ['level le 3', true],
    ['level co 3', false],
    ['level eq "3"', false],
    ['userName gt "ab"', true],
    ['userName lt "ADB"', true],
    ['userName ge "ADA@EXAMPLE.COM"', true],
    ['userName le "ada"', false],
    ['userName ne "x"', true],
  ])('orders numbers and strings alike (strings case-insensitive here), a number having no substrings: %s → %s', (filter, expected) => {
    expect(matches({ ...user, level: 3 }, parseFilter(filter), caseExact)).toBe(expected);
  });

  it('binds and tighter than or', () => {
    const f = parseFilter('userName eq "a" or userName eq "b" and active eq true');
    expect(f.kind).toBe('or');
  });

  it.each([
    'userName eq',
    'userName',
    'userName xx "a"',
    '(userName eq "a"',
    'userName eq "a")',
    'userName eq "unterminated',
    'userName eq unquoted',
    'emails[type eq "work" .value eq "x"',
    '',
    'a.b.c eq "x"',
  ])('refuses %j as an invalid filter', (filter) => {
    expect(refusal(() => parseFilter(filter))).toBe('400 invalidFilter');
  });

  it('refuses a filter nested beyond reason', () => {
    expect(refusal(() => parseFilter(`${'('.repeat(30)}userName eq "a"${')'.repeat(30)}`))).toBe(
      '400 invalidFilter',
    );
  });
});

describe('SCIM PATCH', () => {
  const patch = (ops: Parameters<typeof applyPatch>[1]) => applyPatch(user, ops, USER_SCHEMAS, caseExact);

  it('replaces with paths, Entra ID’s way (capitalised op, value filter, extension URN)', () => {
    const result = patch([
      { op: 'Replace', path: 'name.familyName', value: 'Byron' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ada@byron.example' },
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+47 5678' },
      { op: 'Replace', path: `${SCIM.enterprise}:department`, value: 'Engines' },
      { op: 'Remove', path: 'phoneNumbers[type eq "mobile"]' },
    ]);
    expect(result).toMatchObject({
      name: { givenName: 'Ada', familyName: 'Byron' },
      emails: [{ value: 'ada@byron.example', type: 'work' }],
      phoneNumbers: [{ type: 'work', value: '+47 5678' }],
      [SCIM.enterprise]: { department: 'Engines' },
    });
  });

  it('takes a value object without a path, Okta’s way, its keys as paths', () => {
    const result = patch([
      {
        op: 'replace',
        value: { active: false, 'name.givenName': 'Augusta', [SCIM.enterprise]: { department: 'X' } },
      },
    ]);
    expect(result).toMatchObject({
      active: false,
      name: { givenName: 'Augusta' },
      [SCIM.enterprise]: { department: 'X' },
    });
  });

  it('adds to and removes from a multi-valued attribute by value', () => {
    const group = { schemas: [SCIM.group], displayName: 'G', members: [{ value: 'a' }] };
    const schemas = { core: SCIM.group, extensions: [] };
    const added = applyPatch(
      group,
      [{ op: 'add', path: 'members', value: [{ value: 'b' }, { value: 'a' }] }],
      schemas,
      caseExact,
    );
    expect(added.members).toEqual([{ value: 'a' }, { value: 'b' }]);
    const removed = applyPatch(
      added,
      [{ op: 'remove', path: 'members', value: [{ value: 'a' }] }],
      schemas,
      caseExact,
    );
    expect(removed.members).toEqual([{ value: 'b' }]);
    const filtered = applyPatch(added, [{ op: 'remove', path: 'members[value eq "b"]' }], schemas, caseExact);
    expect(filtered.members).toEqual([{ value: 'a' }]);
  });

  it('leaves the resource it was given untouched', () => {
    patch([{ op: 'replace', path: 'name.familyName', value: 'Other' }]);
    expect(user.name.familyName).toBe('Lovelace');
  });

  it.each([
    [[{ op: 'move', path: 'title', value: 'x' }], '400 invalidValue'],
    [[{ op: 'remove' }], '400 noTarget'],
    [[{ op: 'replace', value: 'not an object' }], '400 invalidValue'],
    [[{ op: 'replace', path: 'emails[type eq', value: 'x' }], '400 invalidPath'],
    [[{ op: 'replace', path: 'urn:example:other:User:x', value: 'x' }], '400 invalidPath'],
    [[{ op: 'replace', path: 'userName.value', value: 'x' }], '400 invalidPath'],
  ])('refuses %j', (ops, expected) => {
    expect(refusal(() => patch(ops))).toBe(expected);
  });
});

describe('a SCIM User as a profile', () => {
  it('maps core and enterprise attributes, and takes "False" for false', () => {
    const input = ScimUserSchema.parse({
      ...user,
      active: 'False',
      title: 'Countess',
      addresses: [{ type: 'work', streetAddress: '1 St James', locality: 'London', country: 'GB' }],
      [SCIM.enterprise]: {
        employeeNumber: 'E1',
        organization: 'Analytical',
        department: 'Maths',
        manager: 'm-1',
      },
    });
    expect(profileOf(input)).toEqual({
      active: false,
      changes: {
        firstName: 'Ada',
        middleName: null,
        lastName: 'Lovelace',
        email: 'ada@example.com',
        title: 'Countess',
        mobilePhone: '+47 1234',
        officePhone: null,
        homePhone: null,
        address: { street: '1 St James', city: 'London', country: 'GB' },
        externalId: 'Ext-1',
        employeeId: 'E1',
        company: 'Analytical',
        department: 'Maths',
        managerId: 'm-1',
      },
    });
  });

  it('refuses attributes a User does not have, roles, and schemas it is not', () => {
    expect(ScimUserSchema.safeParse({ ...user, shoeSize: 42 }).success).toBe(false);
    expect(ScimUserSchema.safeParse({ ...user, roles: [{ value: 'administrator' }] }).success).toBe(false);
    expect(ScimUserSchema.safeParse({ ...user, schemas: [SCIM.group] }).success).toBe(false);
    expect(ScimUserSchema.safeParse({ ...user, schemas: [SCIM.user, 'urn:example:custom'] }).success).toBe(
      false,
    );
  });
});
