// SCIM's resources as Gatehouse keeps them: a User is a profile, a Group is a role of the catalogue. The
// schemas of what a directory may send, and the one mapping each way between SCIM attributes and the profile.

import type { Role } from './roles.ts';
import type { AttrPath } from './scim-filter.ts';
import { foreignLine } from './text.ts';
import { displayName, type ProfileChanges, type User } from './user.ts';
import * as z from './zod.ts';

export const SCIM = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export const USER_SCHEMAS = { core: SCIM.user, extensions: [SCIM.enterprise] } as const;
export const GROUP_SCHEMAS = { core: SCIM.group, extensions: [] } as const;

/** Only `id` and `externalId` compare case-sensitively (RFC 7643: `caseExact`); names and emails do not. */
export const caseExact = (path: AttrPath) =>
  !path.urn && !path.sub && (path.attr.toLowerCase() === 'id' || path.attr.toLowerCase() === 'externalid');

/** `true`, `false`, and the strings Entra ID sends for them ("True", "False"). */
export const ScimBooleanSchema = z.union([
  z.boolean(),
  z.pipe(
    z.string().check(z.regex(/^(true|false)$/i, 'must be true or false')),
    z.transform((s) => s.toLowerCase() === 'true'),
  ),
]);

// Text hygiene at the door (lambdas/domain/text.ts): a control character is SCIM's invalidValue before any mapping.
const text = foreignLine;
/** Attributes SCIM defines that Gatehouse does not keep: accepted (directories send them) and left aside. */
const ignored = z.nullish(text(500));

/** The `schemas` a resource must list: its own, and only those Gatehouse knows for it. */
export const schemasOf = (core: string, allowed: readonly string[]) =>
  z
    .array(z.string().check(z.maxLength(200)))
    .check(z.minLength(1))
    .check(z.maxLength(5))
    .check(
      z.refine((list) => list.some((s) => s.toLowerCase() === core.toLowerCase()), `must include ${core}`),
    )
    .check(
      z.refine(
        (list) => list.every((s) => allowed.some((a) => a.toLowerCase() === s.toLowerCase())),
        `may list only ${allowed.join(', ')}`,
      ),
    );

const typed = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject({
    type: z.nullish(text(50)),
    primary: z.nullish(ScimBooleanSchema),
    display: z.nullish(text(300)),
    ...shape,
  });

const EnterpriseSchema = z.strictObject({
  employeeNumber: z.nullish(text(64)),
  organization: z.nullish(text(200)),
  department: z.nullish(text(100)),
  division: ignored,
  costCenter: ignored,
  // Entra ID writes the manager's id alone; the schema's own form is `{ value }`.
  manager: z.nullish(
    z.union([text(64), z.strictObject({ value: z.nullish(text(64)), displayName: ignored, $ref: ignored })]),
  ),
});

/** A User as a directory sends it (POST, PUT, or the result of a PATCH): unknown attributes are refused. */
export const ScimUserSchema = z.strictObject({
  schemas: schemasOf(SCIM.user, [SCIM.user, SCIM.enterprise]),
  id: ignored,
  externalId: z.nullish(text(255)),
  userName: text(254),
  name: z.strictObject({
    givenName: z.nullish(text(100)),
    familyName: z.nullish(text(100)),
    middleName: z.nullish(text(100)),
    formatted: ignored,
    honorificPrefix: ignored,
    honorificSuffix: ignored,
  }),
  displayName: ignored,
  nickName: ignored,
  profileUrl: ignored,
  userType: ignored,
  preferredLanguage: ignored,
  locale: ignored,
  timezone: ignored,
  title: z.nullish(text(100)),
  active: z.optional(ScimBooleanSchema),
  // Gatehouse never takes a password from a directory: Cognito mails the user a temporary one.
  password: ignored,
  emails: z.nullish(z.array(typed({ value: text(254) })).check(z.maxLength(10))),
  phoneNumbers: z.nullish(z.array(typed({ value: text(40) })).check(z.maxLength(10))),
  addresses: z.nullish(
    z
      .array(
        typed({
          formatted: ignored,
          streetAddress: z.nullish(text(200)),
          locality: z.nullish(text(100)),
          region: z.nullish(text(100)),
          postalCode: z.nullish(text(20)),
          country: z.nullish(text(100)),
        }),
      )
      .check(z.maxLength(10)),
  ),
  // Read-only in SCIM: a user's groups change through the Group's members.
  groups: z.nullish(z.array(z.unknown()).check(z.maxLength(100))),
  roles: z.nullish(
    z.array(z.unknown()).check(z.maxLength(0, 'are given through Groups: each Group is a role')),
  ),
  meta: z.nullish(z.looseObject({})),
  [SCIM.enterprise]: z.nullish(EnterpriseSchema),
});
export type ScimUserInput = z.infer<typeof ScimUserSchema>;

/** A Group as a directory sends it: a role's name and its members. */
export const ScimGroupSchema = z.strictObject({
  schemas: schemasOf(SCIM.group, [SCIM.group]),
  id: ignored,
  externalId: ignored,
  displayName: text(100),
  members: z.nullish(
    z
      .array(z.strictObject({ value: text(64), display: ignored, $ref: ignored, type: ignored }))
      .check(z.maxLength(1000)),
  ),
  meta: z.nullish(z.looseObject({})),
});
export type ScimGroupInput = z.infer<typeof ScimGroupSchema>;

export const ScimPatchSchema = z.strictObject({
  schemas: schemasOf(SCIM.patch, [SCIM.patch]),
  Operations: z
    .array(z.strictObject({ op: text(20), path: z.optional(text(1000)), value: z.optional(z.unknown()) }))
    .check(z.minLength(1))
    .check(z.maxLength(100)),
});
export type ScimPatch = z.infer<typeof ScimPatchSchema>;

/** The profile fields SCIM manages; everything else (roles, teams, licence…) is the API's alone. */
export const SCIM_PROFILE_FIELDS = [
  'firstName',
  'middleName',
  'lastName',
  'email',
  'title',
  'mobilePhone',
  'officePhone',
  'homePhone',
  'address',
  'externalId',
  'employeeId',
  'company',
  'department',
  'managerId',
] as const;

/** Where each managed profile field sits in a SCIM User: how a profile rule's complaint names what was sent. */
export const SCIM_NAME_OF: Record<(typeof SCIM_PROFILE_FIELDS)[number], string> = {
  firstName: 'name.givenName',
  middleName: 'name.middleName',
  lastName: 'name.familyName',
  email: 'userName',
  title: 'title',
  mobilePhone: 'phoneNumbers[type eq "mobile"].value',
  officePhone: 'phoneNumbers[type eq "work"].value',
  homePhone: 'phoneNumbers[type eq "home"].value',
  address: 'addresses[type eq "work"]',
  externalId: 'externalId',
  employeeId: `${SCIM.enterprise}:employeeNumber`,
  company: `${SCIM.enterprise}:organization`,
  department: `${SCIM.enterprise}:department`,
  managerId: `${SCIM.enterprise}:manager`,
};

const PHONE_TYPES = { mobilePhone: 'mobile', officePhone: 'work', homePhone: 'home' } as const;

/**
 * The profile a SCIM User describes, every managed field present (`null`: absent, so cleared): a PUT
 * replaces them all. `active` is apart: it is the lifecycle's, not the profile's.
 */
export function profileOf(input: ScimUserInput): { changes: ProfileChanges; active: boolean | undefined } {
  const ext = input[SCIM.enterprise] ?? {};
  const phone = (type: string) =>
    input.phoneNumbers?.find((p) => p.type?.toLowerCase() === type)?.value ?? null;
  const addresses = input.addresses ?? [];
  const address =
    addresses.find((a) => a.type?.toLowerCase() === 'work') ??
    addresses.find((a) => a.primary) ??
    addresses[0];
  const addressFields = address
    ? Object.fromEntries(
        Object.entries({
          street: address.streetAddress,
          city: address.locality,
          state: address.region,
          postalCode: address.postalCode,
          country: address.country,
        }).filter(([, v]) => typeof v === 'string' && v.trim() !== ''),
      )
    : {};
  const manager = ext.manager;
  const changes: Record<string, unknown> = {
    firstName: input.name.givenName ?? undefined,
    middleName: input.name.middleName || null,
    lastName: input.name.familyName ?? undefined,
    email: input.userName,
    title: input.title || null,
    mobilePhone: phone(PHONE_TYPES.mobilePhone),
    officePhone: phone(PHONE_TYPES.officePhone),
    homePhone: phone(PHONE_TYPES.homePhone),
    address: Object.keys(addressFields).length > 0 ? addressFields : null,
    externalId: input.externalId || null,
    employeeId: ext.employeeNumber || null,
    company: ext.organization || null,
    department: ext.department || null,
    managerId: (typeof manager === 'string' ? manager : manager?.value) || null,
  };
  return { changes: changes as ProfileChanges, active: input.active };
}

export interface ScimMeta {
  resourceType: 'User' | 'Group';
  created?: string;
  lastModified?: string;
  version: string;
  location: string;
}

/** A user as SCIM shows it. `base` is the tenant's SCIM URL, for `meta.location`. */
export function scimUser(user: User, base: string): Record<string, unknown> {
  const phones = (Object.entries(PHONE_TYPES) as [keyof typeof PHONE_TYPES, string][]).flatMap(
    ([field, type]) => (user[field] ? [{ value: user[field], type }] : []),
  );
  const enterprise = {
    ...(user.employeeId ? { employeeNumber: user.employeeId } : {}),
    ...(user.company ? { organization: user.company } : {}),
    ...(user.department ? { department: user.department } : {}),
    ...(user.managerId
      ? { manager: { value: user.managerId, $ref: `${base}/Users/${user.managerId}` } }
      : {}),
  };
  const { address } = user;
  return {
    schemas: [SCIM.user, SCIM.enterprise],
    id: user.id,
    ...(user.externalId ? { externalId: user.externalId } : {}),
    userName: user.email,
    name: {
      givenName: user.firstName,
      familyName: user.lastName,
      ...(user.middleName ? { middleName: user.middleName } : {}),
      formatted: [user.firstName, user.middleName, user.lastName].filter(Boolean).join(' '),
    },
    displayName: displayName(user),
    ...(user.title ? { title: user.title } : {}),
    // Sign-in on: invited (a login waiting for its first sign-in) or active.
    active: user.status === 'invited' || user.status === 'active',
    emails: [{ value: user.email, type: 'work', primary: true }],
    ...(phones.length > 0 ? { phoneNumbers: phones } : {}),
    ...(address
      ? {
          addresses: [
            {
              type: 'work',
              primary: true,
              ...(address.street ? { streetAddress: address.street } : {}),
              ...(address.city ? { locality: address.city } : {}),
              ...(address.state ? { region: address.state } : {}),
              ...(address.postalCode ? { postalCode: address.postalCode } : {}),
              ...(address.country ? { country: address.country } : {}),
            },
          ],
        }
      : {}),
    groups: user.roles.map((r) => ({ value: r.role, $ref: `${base}/Groups/${r.role}`, type: 'direct' })),
    [SCIM.enterprise]: enterprise,
    meta: {
      resourceType: 'User',
      created: user.createdAt,
      lastModified: user.updatedAt,
      version: etagOf(user.version),
      location: `${base}/Users/${user.id}`,
    } satisfies ScimMeta,
  };
}

/** A role as a SCIM Group; `members` only when they were read. */
export function scimGroup(
  role: Role,
  base: string,
  members?: readonly Pick<User, 'id' | 'email'>[],
): Record<string, unknown> {
  return {
    schemas: [SCIM.group],
    id: role.id,
    displayName: role.name,
    ...(members
      ? { members: members.map((m) => ({ value: m.id, display: m.email, $ref: `${base}/Users/${m.id}` })) }
      : {}),
    meta: {
      resourceType: 'Group',
      version: etagOf(role.version),
      location: `${base}/Groups/${role.id}`,
    } satisfies ScimMeta,
  };
}

/** A resource's version as its entity tag: weak, as SCIM's examples write them. */
export const etagOf = (version: number) => `W/"${version}"`;
