// Use cases of SCIM's Groups: a group is a role of the tenant's catalogue, its members the role's holders.
// Membership changes are edits of each member's roles, through the API's own edit (same rules, same history).
import { InvalidInput, RoleNotFound, UserNotFound } from '#domain/errors.ts';
import type { Role, RoleAssignment } from '#domain/roles.ts';
import { matches, parseFilter, ScimRefused } from '#domain/scim-filter.ts';
import { applyPatch, type PatchOperation } from '#domain/scim-patch.ts';
import { caseExact, GROUP_SCHEMAS, type ScimGroupInput, scimGroup } from '#domain/scim-resources.ts';
import type { User } from '#domain/user.ts';
import { editUser } from './edit-user.ts';
import type { Caller, Deps } from './ports.ts';
import { visibleUser } from './scim-users.ts';

/** Most members a group shows or is given at once: beyond, a directory must page through Users. */
export const MAX_MEMBERS = 1000;

export interface ScimGroup {
  role: Role;
  members?: User[];
}

export async function scimListGroups(
  deps: Deps,
  caller: Caller,
  query: { filter?: string; startIndex: number; count: number; withMembers: boolean },
): Promise<{ total: number; groups: ScimGroup[] }> {
  const filter = query.filter === undefined ? undefined : parseFilter(query.filter);
  const catalogue = [...(await deps.roles.catalogue(caller.tenant.id)).values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  // The catalogue is small and read whole anyway: its filter is checked on each role, members aside.
  const matched = filter
    ? catalogue.filter((role) => matches(scimGroup(role, ''), filter, caseExact))
    : catalogue;
  const page = matched.slice(query.startIndex - 1, query.startIndex - 1 + query.count);
  const groups = await Promise.all(
    page.map(async (role) => ({
      role,
      ...(query.withMembers ? { members: await holders(deps, caller, role.id) } : {}),
    })),
  );
  return { total: matched.length, groups };
}

export async function scimGetGroup(
  deps: Deps,
  caller: Caller,
  roleId: string,
  withMembers: boolean,
): Promise<ScimGroup> {
  const role = await roleOf(deps, caller, roleId);
  return { role, ...(withMembers ? { members: await holders(deps, caller, role.id) } : {}) };
}

/** PATCH: members added and removed (or replaced); the name is the role's, changed through the API only. */
export async function scimPatchGroup(
  deps: Deps,
  caller: Caller,
  roleId: string,
  operations: readonly PatchOperation[],
): Promise<ScimGroup> {
  const role = await roleOf(deps, caller, roleId);
  const before = await holders(deps, caller, role.id);
  const current = { ...scimGroup(role, '', before) };
  const patched = applyPatch(current, operations, GROUP_SCHEMAS, caseExact);
  checkName(role, patched.displayName);
  const members = patched.members;
  if (members !== undefined && members !== null && !Array.isArray(members)) {
    throw new ScimRefused(400, 'invalidValue', 'members must be a list of { "value": <user id> }.');
  }
  const ids = (members ?? []).map((m, i) => {
    const value = m && typeof m === 'object' ? (m as { value?: unknown }).value : undefined;
    if (typeof value !== 'string')
      throw new InvalidInput([{ field: `members.${i}.value`, message: 'must be a user id' }]);
    return value;
  });
  return setMembers(deps, caller, role, before, ids);
}

/** PUT: the members become exactly those sent. */
export async function scimReplaceGroup(
  deps: Deps,
  caller: Caller,
  roleId: string,
  input: ScimGroupInput,
): Promise<ScimGroup> {
  const role = await roleOf(deps, caller, roleId);
  checkName(role, input.displayName);
  const before = await holders(deps, caller, role.id);
  return setMembers(
    deps,
    caller,
    role,
    before,
    (input.members ?? []).map((m) => m.value),
  );
}

/** POST: a group is a role, added through the API; a directory's group of the same name is linked to it. */
export async function scimCreateGroup(deps: Deps, caller: Caller, input: ScimGroupInput): Promise<never> {
  const catalogue = await deps.roles.catalogue(caller.tenant.id);
  const same = [...catalogue.values()].find((r) => r.name.toLowerCase() === input.displayName.toLowerCase());
  if (same) {
    throw new ScimRefused(409, 'uniqueness', `The group ${same.name} exists already, with id ${same.id}.`);
  }
  throw new ScimRefused(
    403,
    undefined,
    "Groups are the roles of the tenant's catalogue: an administrator adds a role through the API (POST /roles).",
  );
}

/** DELETE: refused; a role is removed through the API, once nobody holds it. */
export async function scimDeleteGroup(deps: Deps, caller: Caller, roleId: string): Promise<never> {
  await roleOf(deps, caller, roleId);
  throw new ScimRefused(
    403,
    undefined,
    'Groups are roles: remove their members here, and delete the role through the API (DELETE /roles/{roleId}).',
  );
}

async function setMembers(
  deps: Deps,
  caller: Caller,
  role: Role,
  before: readonly User[],
  wanted: readonly string[],
): Promise<ScimGroup> {
  if (wanted.length > MAX_MEMBERS) {
    throw new ScimRefused(400, 'tooMany', `A group is given at most ${MAX_MEMBERS} members at once.`);
  }
  // Many edits: the Idempotency-Key, if any, is completed once at the end (as a bulk action's is).
  const { idempotency, ...each } = caller;
  const had = new Set(before.map((u) => u.id));
  const want = new Set(wanted);
  // One edit per member whose roles change, each with its own history entry and the role rules checked.
  for (const userId of want) {
    if (had.has(userId)) continue;
    const user = await memberOf(deps, each, userId);
    if (user.roles.some((r) => r.role === role.id)) continue;
    await editUser(deps, each, user.id, user.version, { roles: [...user.roles, assignmentFor(role, user)] });
  }
  for (const user of before) {
    if (want.has(user.id)) continue;
    const current = await visibleUser(deps, each, user.id);
    const roles = current.roles.filter((r) => r.role !== role.id);
    if (roles.length !== current.roles.length)
      await editUser(deps, each, current.id, current.version, { roles });
  }
  const result = { role, members: await holders(deps, caller, role.id) };
  if (idempotency) await deps.idempotency.complete(idempotency, result);
  return result;
}

/**
 * A scoped role is given for the member's own teams, areas or client organisation (README "SCIM"): a
 * directory knows groups, not Gatehouse's scopes.
 */
function assignmentFor(role: Role, user: User): RoleAssignment {
  const refuse = (what: string) =>
    new ScimRefused(
      400,
      'invalidValue',
      `${role.name} is given per ${what}, and ${user.email} has none: give them one in Gatehouse first.`,
    );
  switch (role.scope) {
    case 'tenant':
      return { role: role.id };
    case 'team':
      if (!user.teams?.length) throw refuse('team');
      return { role: role.id, teams: user.teams };
    case 'area':
      if (!user.areas?.length) throw refuse('area');
      return { role: role.id, areas: user.areas };
    case 'client':
      if (!user.clientOrganisation) throw refuse('client organisation');
      return { role: role.id, client: user.clientOrganisation };
  }
}

async function memberOf(deps: Deps, caller: Caller, userId: string): Promise<User> {
  try {
    return await visibleUser(deps, caller, userId);
  } catch (error) {
    if (error instanceof UserNotFound) {
      throw new ScimRefused(400, 'invalidValue', `No user ${userId} in this tenant to add as a member.`);
    }
    throw error;
  }
}

async function roleOf(deps: Deps, caller: Caller, roleId: string): Promise<Role> {
  const role = (await deps.roles.catalogue(caller.tenant.id)).get(roleId);
  if (!role) throw new RoleNotFound();
  return role;
}

function checkName(role: Role, name: unknown): void {
  if (name !== undefined && name !== role.name) {
    throw new ScimRefused(
      400,
      'mutability',
      `displayName is the role's name (${role.name}); rename the role through the API.`,
    );
  }
}

/** The role's holders who are not archived, read through the role's index partition. */
async function holders(deps: Deps, caller: Caller, roleId: string): Promise<User[]> {
  const found: User[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.users.search(caller.tenant.id, {
      filters: { role: roleId },
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    found.push(...page.items);
    if (found.length > MAX_MEMBERS) {
      throw new ScimRefused(
        400,
        'tooMany',
        `The group has more than ${MAX_MEMBERS} members; ask with excludedAttributes=members and read Users.`,
      );
    }
    cursor = page.next;
  } while (cursor);
  return found;
}
