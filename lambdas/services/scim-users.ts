// Use cases of SCIM's Users: each one made of the API's own use cases (create, edit, activate, deactivate,
// archive, restore), so a directory's change keeps the same rules and writes the same history.
import { InvalidInput, UserNotFound, VersionConflict } from '#domain/errors.ts';
import { type Filter, matches, parseFilter, ScimRefused } from '#domain/scim-filter.ts';
import { applyPatch, type PatchOperation } from '#domain/scim-patch.ts';
import {
  caseExact,
  profileOf,
  SCIM_NAME_OF,
  SCIM_PROFILE_FIELDS,
  type ScimUserInput,
  ScimUserSchema,
  scimUser,
  USER_SCHEMAS,
} from '#domain/scim-resources.ts';
import { nameKey } from '#domain/search.ts';
import {
  type Profile,
  type ProfileChanges,
  ProfileChangesSchema,
  ProfileSchema,
  type User,
} from '#domain/user.ts';
import { createUser } from './create-user.ts';
import { editUser } from './edit-user.ts';
import { activateUser, archiveUser, deactivateUser, restoreUser } from './lifecycle.ts';
import type { Caller, Deps, UserQuery } from './ports.ts';

/** Most users a filter may gather before its page is cut (each is read): more is SCIM's `tooMany`. */
export const MAX_FILTER_MATCHES = 1000;
/** Largest page a SCIM list answers (ServiceProviderConfig `filter.maxResults`). */
export const MAX_PAGE = 200;
/** Furthest `startIndex` an unfiltered list reads to: the pages before it are read and passed over. */
export const MAX_START_INDEX = 10_000;

export interface ScimListQuery {
  filter?: string;
  startIndex: number;
  count: number;
}

/**
 * A user the directory may see: one of the tenant's, not archived. A user deleted through SCIM is archived,
 * and SCIM must answer 404 for a deleted resource (RFC 7644 §3.6); Gatehouse keeps them for an administrator.
 */
export async function visibleUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  const user = /^[0-9a-f-]{36}$/i.test(userId) ? await deps.users.get(caller.tenant.id, userId) : undefined;
  if (!user || user.status === 'archived') throw new UserNotFound();
  return user;
}

/**
 * A user the directory sends: created (active unless it says otherwise: Cognito mails the invitation), or,
 * when the email belongs to a user it deleted earlier (archived), that user restored and brought up to date.
 * Any other user with the email is a 409 `uniqueness`.
 */
export async function scimCreateUser(deps: Deps, caller: Caller, input: ScimUserInput): Promise<User> {
  const { changes, active } = profileOf(input);
  const profile = parseProfile(changes);
  const existingId = await deps.users.userIdByEmail(caller.tenant.id, profile.email);
  const existing = existingId ? await deps.users.get(caller.tenant.id, existingId) : undefined;
  if (existing && existing.status !== 'archived') {
    throw new ScimRefused(409, 'uniqueness', `A user with userName ${profile.email} exists already.`);
  }
  if (!existing) return createUser(deps, caller, profile, active ?? true);
  return steps(deps, caller, async (each) => {
    const restored = await restoreUser(deps, each, existing.id);
    return bringUpToDate(deps, each, restored, changes, active ?? true);
  });
}

/** PUT: every attribute SCIM manages is replaced; those left out are cleared. */
export async function scimReplaceUser(
  deps: Deps,
  caller: Caller,
  userId: string,
  input: ScimUserInput,
  ifMatch: number | undefined,
): Promise<User> {
  const user = await visibleUser(deps, caller, userId);
  if (ifMatch !== undefined && ifMatch !== user.version) throw new VersionConflict();
  const { changes, active } = profileOf(input);
  return steps(deps, caller, (each) => bringUpToDate(deps, each, user, changes, active));
}

/** PATCH: the operations are applied to the user as SCIM shows it, and the result is taken like a PUT. */
export async function scimPatchUser(
  deps: Deps,
  caller: Caller,
  userId: string,
  operations: readonly PatchOperation[],
  ifMatch: number | undefined,
): Promise<User> {
  const user = await visibleUser(deps, caller, userId);
  if (ifMatch !== undefined && ifMatch !== user.version) throw new VersionConflict();
  const patched = applyPatch(scimUser(user, ''), operations, USER_SCHEMAS, caseExact);
  const parsed = ScimUserSchema.safeParse(patched);
  if (!parsed.success) {
    const unknown = parsed.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
    if (unknown.length > 0) {
      throw new ScimRefused(400, 'invalidPath', `A User has no attribute ${unknown.join(', ')}.`);
    }
    throw new InvalidInput(
      parsed.error.issues.map((issue) => ({
        field: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    );
  }
  const { changes, active } = profileOf(parsed.data);
  return steps(deps, caller, (each) => bringUpToDate(deps, each, user, changes, active));
}

/** DELETE archives: nothing is lost by a directory's mistake, and the user can be restored. */
export async function scimDeleteUser(deps: Deps, caller: Caller, userId: string): Promise<User> {
  await visibleUser(deps, caller, userId);
  return archiveUser(deps, caller, userId);
}

/**
 * A page of the users a filter matches, and how many match. Only filters that an index or a lookup can
 * answer are served (README "SCIM"): the rest are refused with `invalidFilter` rather than read from every user.
 */
export async function scimListUsers(
  deps: Deps,
  caller: Caller,
  query: ScimListQuery,
): Promise<{ total: number; users: User[] }> {
  const filter = query.filter === undefined ? undefined : parseFilter(query.filter);
  if (filter) checkAttributes(filter);
  const skip = query.startIndex - 1;
  if (!filter || isEveryone(filter)) {
    if (skip + query.count > MAX_START_INDEX + MAX_PAGE) {
      throw new ScimRefused(
        400,
        'invalidValue',
        `startIndex may be at most ${MAX_START_INDEX}; use a filter.`,
      );
    }
    const [total, page] = await Promise.all([
      deps.users.countLive(caller.tenant.id),
      query.count === 0 ? undefined : deps.users.search(caller.tenant.id, { limit: query.count, skip }),
    ]);
    return { total, users: page?.items ?? [] };
  }
  const source = sourceOf(filter);
  if (!source) {
    throw new ScimRefused(
      400,
      'invalidFilter',
      'This filter would have to read every user. Filter on userName, emails or externalId with eq, ' +
        'userName with sw, or active with eq (and combine those with and/or).',
    );
  }
  const candidates = await gather(deps, caller, source);
  const matched = [...candidates.values()]
    .filter((user) => user.status !== 'archived' && matches(scimUser(user, ''), filter, caseExact))
    .sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
  return { total: matched.length, users: matched.slice(skip, skip + query.count) };
}

// ── Applying a SCIM User to a profile ─────────────────────────────────────────────────────────────────

/** The profile edit, then the lifecycle step `active` asks for: each through its own use case. */
async function bringUpToDate(
  deps: Deps,
  caller: Caller,
  user: User,
  changes: ProfileChanges,
  active: boolean | undefined,
): Promise<User> {
  const parsed = parseChanges(changes);
  const differing = Object.fromEntries(
    SCIM_PROFILE_FIELDS.flatMap((field) => {
      const next = parsed[field] ?? undefined;
      return canonical(next) === canonical(user[field]) ? [] : [[field, next ?? null]];
    }),
  ) as ProfileChanges;
  let current = user;
  if (Object.keys(differing).length > 0) {
    current = await editUser(deps, caller, user.id, user.version, differing);
  }
  if (active === false && (current.status === 'invited' || current.status === 'active')) {
    current = await deactivateUser(deps, caller, current.id);
  } else if (active === true && current.status === 'inactive') {
    current = await activateUser(deps, caller, current.id);
  }
  return current;
}

/**
 * Runs an operation made of several use cases. An Idempotency-Key cannot be completed by each of their writes,
 * so it is completed once, at the end (as a bulk action's is); each step is a no-op when its change is
 * already made, so a retry of a failed attempt converges.
 */
async function steps(deps: Deps, caller: Caller, run: (each: Caller) => Promise<User>): Promise<User> {
  const { idempotency, ...each } = caller;
  const result = await run(each);
  if (idempotency) await deps.idempotency.complete(idempotency, result);
  return result;
}

function parseProfile(changes: ProfileChanges): Profile {
  const present = Object.fromEntries(
    Object.entries(changes).filter(([, v]) => v !== null && v !== undefined),
  );
  const parsed = ProfileSchema.safeParse(present);
  if (!parsed.success) throw profileIssues(parsed.error.issues);
  return parsed.data;
}

function parseChanges(changes: ProfileChanges): ProfileChanges {
  // A PUT (or a PATCH's result) must still have what every profile has: it replaces, it cannot clear them.
  const missing = (['firstName', 'lastName', 'email'] as const).filter((field) => changes[field] == null);
  if (missing.length > 0) {
    throw new InvalidInput(missing.map((field) => ({ field: SCIM_NAME_OF[field], message: 'is required' })));
  }
  const parsed = ProfileChangesSchema.safeParse(changes);
  if (!parsed.success) throw profileIssues(parsed.error.issues);
  return parsed.data;
}

/** A profile rule's complaints, naming the SCIM attribute that was sent rather than Gatehouse's field. */
function profileIssues(issues: readonly { path: PropertyKey[]; message: string }[]): InvalidInput {
  return new InvalidInput(
    issues.map((issue) => {
      const [field, ...rest] = issue.path.map(String);
      const name = SCIM_NAME_OF[field as keyof typeof SCIM_NAME_OF] ?? field ?? 'body';
      const message =
        issue.message === 'Invalid input: expected string, received undefined'
          ? 'is required'
          : issue.message;
      return { field: [name, ...rest].join('.'), message };
    }),
  );
}

/** JSON with object keys sorted: the same address written in another order is the same address. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

// ── Filters: which can be answered without reading every user ────────────────────────────────────────

/** The attributes a User filter may name: those a User has. */
const FILTERABLE = new Set([
  'id',
  'externalid',
  'username',
  'name',
  'displayname',
  'title',
  'active',
  'emails',
  'phonenumbers',
  'addresses',
  'groups',
  'meta',
]);
const ENTERPRISE_FILTERABLE = new Set(['employeenumber', 'organization', 'department', 'manager']);

function checkAttributes(filter: Filter): void {
  switch (filter.kind) {
    case 'and':
    case 'or':
      checkAttributes(filter.left);
      checkAttributes(filter.right);
      return;
    case 'not':
      checkAttributes(filter.filter);
      return;
    default: {
      const { path } = filter;
      const known = path.urn
        ? path.urn === USER_SCHEMAS.extensions[0].toLowerCase()
          ? ENTERPRISE_FILTERABLE.has(path.attr.toLowerCase())
          : path.urn === USER_SCHEMAS.core.toLowerCase() && FILTERABLE.has(path.attr.toLowerCase())
        : FILTERABLE.has(path.attr.toLowerCase());
      if (!known) throw new ScimRefused(400, 'invalidFilter', `A User has no attribute ${path.attr}.`);
    }
  }
}

/** Where a filter's candidates come from: lookups whose union holds every user the filter can match. */
type Lookup =
  | { kind: 'email'; value: string }
  | { kind: 'id'; value: string }
  | { kind: 'externalId'; value: string }
  | { kind: 'keyword'; value: string }
  | { kind: 'active'; value: boolean };

const isEmailPath = (f: Extract<Filter, { kind: 'compare' }>) => {
  const attr = f.path.attr.toLowerCase();
  if (f.path.urn) return false;
  if (attr === 'username') return !f.path.sub && !f.path.where;
  // emails.value, emails[type eq "work"].value, or emails itself (compared by its values).
  return attr === 'emails' && (f.path.sub === undefined || f.path.sub.toLowerCase() === 'value');
};

/** `userName pr`: every user has one, so it is the unfiltered list. */
function isEveryone(filter: Filter): boolean {
  return (
    filter.kind === 'present' &&
    !filter.path.urn &&
    ['username', 'id'].includes(filter.path.attr.toLowerCase())
  );
}

/** The lookups that find every match of `filter`, or undefined when only reading every user would. */
function sourceOf(filter: Filter): Lookup[] | undefined {
  switch (filter.kind) {
    case 'and': {
      // Either side bounds the matches; the narrower lookup is read, the whole filter checked on what it finds.
      const left = sourceOf(filter.left);
      const right = sourceOf(filter.right);
      if (!left) return right;
      if (!right) return left;
      return rank(left) <= rank(right) ? left : right;
    }
    case 'or': {
      const left = sourceOf(filter.left);
      const right = sourceOf(filter.right);
      return left && right ? [...left, ...right] : undefined;
    }
    case 'compare': {
      const { op, value, path } = filter;
      const attr = path.attr.toLowerCase();
      if (typeof value === 'string' && op === 'eq' && isEmailPath(filter)) return [{ kind: 'email', value }];
      if (typeof value === 'string' && op === 'eq' && !path.urn && !path.sub && attr === 'id')
        return [{ kind: 'id', value }];
      if (typeof value === 'string' && op === 'eq' && !path.urn && !path.sub && attr === 'externalid')
        return [{ kind: 'externalId', value }];
      if (typeof value === 'string' && op === 'sw' && isEmailPath(filter) && /[\p{L}\p{N}]/u.test(value))
        return [{ kind: 'keyword', value }];
      if (typeof value === 'boolean' && op === 'eq' && !path.urn && !path.sub && attr === 'active')
        return [{ kind: 'active', value }];
      return undefined;
    }
    default:
      return undefined;
  }
}

/** How many users a lookup may find, roughly: an exact one first, a whole status last. */
const rank = (lookups: Lookup[]) =>
  Math.max(...lookups.map((l) => ({ email: 0, id: 0, externalId: 1, keyword: 2, active: 3 })[l.kind]));

async function gather(deps: Deps, caller: Caller, lookups: Lookup[]): Promise<Map<string, User>> {
  const tenantId = caller.tenant.id;
  const found = new Map<string, User>();
  const add = (users: readonly User[]) => {
    for (const user of users) found.set(user.id, user);
    if (found.size > MAX_FILTER_MATCHES) {
      throw new ScimRefused(
        400,
        'tooMany',
        `The filter matches more than ${MAX_FILTER_MATCHES} users; narrow it.`,
      );
    }
  };
  for (const lookup of lookups) {
    switch (lookup.kind) {
      case 'email': {
        const id = await deps.users.userIdByEmail(tenantId, lookup.value);
        const user = id ? await deps.users.get(tenantId, id) : undefined;
        if (user) add([user]);
        break;
      }
      case 'id': {
        const user = /^[0-9a-f-]{36}$/i.test(lookup.value)
          ? await deps.users.get(tenantId, lookup.value)
          : undefined;
        if (user) add([user]);
        break;
      }
      case 'externalId':
        await readAll(deps, tenantId, { filters: { externalId: lookup.value } }, add);
        break;
      case 'keyword':
        // Each word of the value starts a word of the email: the keyword index finds them, the filter then
        // checks the whole value against the email itself.
        await readAll(deps, tenantId, { q: lookup.value }, add);
        break;
      case 'active':
        for (const status of lookup.value ? (['invited', 'active'] as const) : (['inactive'] as const)) {
          await readAll(deps, tenantId, { filters: { status } }, add);
        }
        break;
    }
  }
  return found;
}

async function readAll(
  deps: Deps,
  tenantId: string,
  query: Omit<UserQuery, 'limit'>,
  add: (users: readonly User[]) => void,
): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await deps.users.search(tenantId, { ...query, limit: 100, ...(cursor ? { cursor } : {}) });
    add(page.items);
    cursor = page.next;
  } while (cursor);
}
