// A user: the profile fields an administrator edits, the system fields Gatehouse keeps, and the lifecycle.

import { InvalidTransition } from './errors.ts';
import { ADMINISTRATOR, RoleAssignmentSchema } from './roles.ts';
import type { LinkedIdentity } from './sign-in.ts';
import { multiLine, nameText, singleLine } from './text.ts';
import * as z from './zod.ts';

const text = singleLine;
// Each schema below is made in a function called as pure: a bundle that never parses a profile (the job, role
// and SCIM-token routes, the triggers) drops them whole, which chains of calls at the top level would keep.
const phone = /* @__PURE__ */ (() =>
  z
    .string()
    .check(z.trim())
    .check(
      z.regex(/^\+?[0-9 ()./-]{3,30}$/, 'must be a phone number: digits, spaces and + ( ) . / - only'),
    ))();
const label = /* @__PURE__ */ singleLine(64);
/** https, a DNS host name of at least two labels (example.com), an optional port, then a path without spaces. */
const HTTPS_URL =
  /^https:\/\/[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+(?::[0-9]{1,5})?(?:[/?#][^\s]*)?$/;

/** Email is the login: compared and stored lower-case, so it is unique per tenant case-insensitively. */
export const EmailSchema = /* @__PURE__ */ (() =>
  z.pipe(
    z.email().check(z.maxLength(254)),
    z.transform((email) => email.toLowerCase()),
  ))();

export const AddressSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    street: z.optional(text(200)),
    city: z.optional(text(100)),
    state: z.optional(text(100)),
    postalCode: z.optional(text(20)),
    country: z.optional(text(100)),
  }))();

const hours = /* @__PURE__ */ (() => z.number().check(z.gte(0)).check(z.lte(24)))();
export const WeekSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    monday: z.optional(hours),
    tuesday: z.optional(hours),
    wednesday: z.optional(hours),
    thursday: z.optional(hours),
    friday: z.optional(hours),
    saturday: z.optional(hours),
    sunday: z.optional(hours),
  }))();

export { type RoleAssignment, RoleAssignmentSchema } from './roles.ts';

/** Everything an administrator may set on a user. */
export const ProfileSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    // General
    firstName: nameText(100),
    middleName: z.optional(nameText(100)),
    lastName: nameText(100),
    email: EmailSchema,
    mobilePhone: z.optional(phone),
    // A host is required: `https:` alone is a URL to the WHATWG parser, but not a photo anywhere.
    photoUrl: z
      .optional(
        z
          .string()
          .check(z.maxLength(2048))
          .check(
            z.regex(
              HTTPS_URL,
              'must be an https URL with a host name, e.g. https://example.com/photos/ada.jpg',
            ),
          )
          .check(z.refine((url) => URL.canParse(url), 'must be a URL')),
      )
      .check(
        z.meta({
          format: 'uri',
          description: 'An https URL with a host name, e.g. https://example.com/photos/ada.jpg.',
        }),
      ),
    // Contact
    address: z.optional(AddressSchema),
    officePhone: z.optional(phone),
    homePhone: z.optional(phone),
    // Employee
    employeeId: z.optional(text(64)),
    title: z.optional(text(100)),
    company: z.optional(text(200)),
    department: z.optional(text(100)),
    /** The user's manager: another user's id, as the customer's directory names them (SCIM's enterprise `manager`). */
    managerId: z.optional(text(64)),
    /** The user's id in the customer's directory, kept as SCIM provisioning sent it. */
    externalId: z.optional(text(255)),
    // Bounded so that a change, with the search index it moves, fits one DynamoDB transaction.
    teams: z.optional(z.array(label).check(z.maxLength(5))),
    areas: z.optional(z.array(label).check(z.maxLength(5))),
    accountingId: z.optional(text(64)),
    comments: z.optional(multiLine(2000)),
    mayCreateTickets: z.optional(z.boolean()),
    // Access
    roles: z._default(z.array(RoleAssignmentSchema).check(z.maxLength(5)), []),
    licenceType: z.optional(label),
    userType: z._default(z.enum(['internal', 'external']), 'internal'),
    clientOrganisation: z.optional(label),
    // Notifications
    notifications: z.optional(z.strictObject({ workOrderDispatch: z.optional(z.boolean()) })),
    // Daily availability, hours per weekday
    availability: z.optional(
      z.strictObject({ oddWeeks: z.optional(WeekSchema), evenWeeks: z.optional(WeekSchema) }),
    ),
  }))();
export type Profile = z.infer<typeof ProfileSchema>;

const REQUIRED_FIELDS = new Set(['firstName', 'lastName', 'email']);

/**
 * An edit: any profile field; an optional one may be `null` to clear it. Built from ProfileSchema so the
 * rules are the same; defaults are unwrapped, or a missing `roles` would reset the user's roles.
 */
export const ProfileChangesSchema = /* @__PURE__ */ (() =>
  z.strictObject(
    Object.fromEntries(
      Object.entries(ProfileSchema.shape).map(([field, schema]) => {
        const inner =
          schema instanceof z.ZodMiniDefault || schema instanceof z.ZodMiniOptional
            ? (schema._zod.def.innerType as z.ZodMiniType)
            : schema;
        return [field, REQUIRED_FIELDS.has(field) ? z.optional(inner) : z.optional(z.nullable(inner))];
      }),
    ),
  ) as unknown as z.ZodMiniType<ProfileChanges, unknown>)();

export const USER_STATUSES = ['inactive', 'invited', 'active', 'archived'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface Actor {
  id: string;
  name: string;
}

export interface User extends Profile {
  id: string;
  status: UserStatus;
  /** The Cognito user's `sub`, once a login exists. */
  cognitoSub?: string;
  /** Accounts at the tenant's identity provider linked to the login (single sign-on). */
  identities?: LinkedIdentity[];
  invitedAt?: string;
  registeredAt?: string;
  lastLoginAt?: string;
  archivedAt?: string;
  createdAt: string;
  createdBy: Actor;
  updatedAt: string;
  updatedBy: Actor;
  version: number;
}

export function displayName(user: Pick<User, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`;
}

export function newUser(id: string, profile: Profile, by: Actor, at: string): User {
  return {
    ...profile,
    id,
    status: 'inactive',
    createdAt: at,
    createdBy: by,
    updatedAt: at,
    updatedBy: by,
    version: 1,
  };
}

/** The user after `changes`, stamped with who and when, one version on. */
export function revise(user: User, changes: Partial<User>, by: Actor, at: string): User {
  return { ...user, ...changes, updatedAt: at, updatedBy: by, version: user.version + 1 };
}

/** activate: inactive → invited, once Cognito has a (new) login for the user. */
export function invited(user: User, cognitoSub: string, by: Actor, at: string): User {
  if (user.status !== 'inactive') throw new InvalidTransition('activate', user.status);
  return revise(user, { status: 'invited', cognitoSub, invitedAt: at }, by, at);
}

/**
 * activate a user who has a login already (deactivated earlier): sign-in on again. Someone who had set
 * their own password is active at once; someone who never had is invited again.
 */
export function reenabled(user: User, by: Actor, at: string): User {
  if (user.status !== 'inactive') throw new InvalidTransition('activate', user.status);
  return user.registeredAt
    ? revise(user, { status: 'active' }, by, at)
    : revise(user, { status: 'invited', invitedAt: at }, by, at);
}

/** deactivate: invited | active → inactive (the login stays, disabled). */
export function deactivated(user: User, by: Actor, at: string): User {
  if (user.status !== 'invited' && user.status !== 'active')
    throw new InvalidTransition('deactivate', user.status);
  return revise(user, { status: 'inactive' }, by, at);
}

/** archive: from any status but archived. */
export function archived(user: User, by: Actor, at: string): User {
  if (user.status === 'archived') throw new InvalidTransition('archive', user.status);
  return revise(user, { status: 'archived', archivedAt: at }, by, at);
}

/** restore: archived → inactive. */
export function restored(user: User, by: Actor, at: string): User {
  if (user.status !== 'archived') throw new InvalidTransition('restore', user.status);
  const { archivedAt: _gone, ...rest } = user;
  return revise({ ...rest, status: 'inactive' }, {}, by, at);
}

/** Profile edits, with `null` clearing an optional field. Archived users are read-only until restored. */
export function edited(user: User, changes: ProfileChanges, by: Actor, at: string): User {
  if (user.status === 'archived') throw new InvalidTransition('edit', user.status);
  const next: Record<string, unknown> = { ...user };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return revise(next as unknown as User, {}, by, at);
}

/** A profile change: any field; optional ones may be `null` to clear them. */
export type ProfileChanges = { [K in keyof Profile]?: Profile[K] | null };

/** Whether the user holds a seat of their licence type: archived users free theirs. */
export function holdsLicence(user: User | undefined): string | undefined {
  return user && user.status !== 'archived' ? user.licenceType : undefined;
}

/** Whether the user counts toward the tenant's active administrators, of whom one must always remain. */
export function isActiveAdministrator(user: User | undefined): boolean {
  return !!user && user.status === 'active' && user.roles.some((r) => r.role === ADMINISTRATOR);
}

/** Whether Cognito should let the user sign in. */
export function mayHaveEnabledLogin(user: User): boolean {
  return user.status === 'invited' || user.status === 'active';
}

/** Who history names when the user's own sign-in changed them. */
export const SIGN_IN: Actor = { id: 'system', name: 'Sign-in' };

/** Who history names for the reconciler's repairs. */
export const RECONCILER: Actor = { id: 'system', name: 'Reconciler' };

/** First sign-in, with the new password set: invited → active. */
export function registered(user: User, at: string): User {
  if (user.status !== 'invited') throw new InvalidTransition('register', user.status);
  return revise(user, { status: 'active', registeredAt: at, lastLoginAt: at }, SIGN_IN, at);
}
