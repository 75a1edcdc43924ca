// Use cases of the role catalogue: list, create, edit and delete roles, each change in the history.
import { createHash } from 'node:crypto';
import { RoleInUse, RoleNotFound, RoleProtected, VersionConflict } from '#domain/errors.ts';
import { diff } from '#domain/history.ts';
import { ADMINISTRATOR, type Role, type RoleDefinition } from '#domain/roles.ts';
import type { User } from '#domain/user.ts';
import { completing, historyEntry } from './changes.ts';
import type { Caller, Deps } from './ports.ts';

/** History keeps a role's changes under `role:<id>`, beside the users'. */
const subject = (roleId: string) => `role:${roleId}`;

export async function listRoles(deps: Deps, caller: Caller): Promise<Role[]> {
  const catalogue = await deps.roles.catalogue(caller.tenant.id);
  return [...catalogue.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function getRole(deps: Deps, caller: Caller, roleId: string): Promise<Role> {
  const role = (await deps.roles.catalogue(caller.tenant.id)).get(roleId);
  if (!role) throw new RoleNotFound();
  return role;
}

export async function createRole(deps: Deps, caller: Caller, definition: RoleDefinition): Promise<Role> {
  const id = roleId(definition.name);
  const role: Role = { ...definition, id, builtIn: false, version: 1 };
  await deps.roles.create(
    caller.tenant.id,
    role,
    historyEntry(deps, caller, 'role.created', subject(id), diff(undefined, role)),
    completing(caller, role),
  );
  return role;
}

export async function editRole(
  deps: Deps,
  caller: Caller,
  roleId: string,
  expectedVersion: number,
  changes: Partial<RoleDefinition>,
): Promise<Role> {
  const role = await getRole(deps, caller, roleId);
  if (role.id === ADMINISTRATOR) throw new RoleProtected(role.name);
  if (role.version !== expectedVersion) throw new VersionConflict();
  const next: Role = { ...role, ...definedOnly(changes), version: role.version + 1 };
  await deps.roles.update(
    caller.tenant.id,
    role,
    next,
    historyEntry(deps, caller, 'role.edited', subject(roleId), diff(role, next)),
    completing(caller, next),
  );
  return next;
}

export async function deleteRole(deps: Deps, caller: Caller, roleId: string): Promise<Role> {
  const role = await getRole(deps, caller, roleId);
  if (role.id === ADMINISTRATOR) throw new RoleProtected(role.name);
  const holders = await countHolders(deps, caller.tenant.id, roleId);
  if (holders > 0) throw new RoleInUse(role.name, holders);
  await deps.roles.delete(
    caller.tenant.id,
    role,
    historyEntry(deps, caller, 'role.deleted', subject(roleId), diff(role, undefined)),
    completing(caller, null),
  );
  return role;
}

/** Reads the tenant's users; a per-role count kept in the profile transactions would replace it at scale. */
async function countHolders(deps: Deps, tenantId: string, roleId: string): Promise<number> {
  let holders = 0;
  let cursor: string | undefined;
  for (const archived of [false, true]) {
    do {
      const page = await deps.users.list(tenantId, { limit: 100, archived, ...(cursor ? { cursor } : {}) });
      holders += page.items.filter((u: User) => u.roles.some((r) => r.role === roleId)).length;
      cursor = page.next;
    } while (cursor);
  }
  return holders;
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A readable id from a Latin name ("Équipe Nord" → `equipe-nord`); a name that makes no such id ("日本",
 * "Менеджер", "X") gets one from a hash of the name, so the same name still makes the same id.
 */
function roleId(name: string): string {
  const readable = slug(name);
  if (/^[a-z][a-z0-9-]{1,62}$/.test(readable)) return readable;
  return `role-${createHash('sha256').update(name.normalize('NFC').toLowerCase()).digest('hex').slice(0, 12)}`;
}

function slug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, 'r-$1')
    .slice(0, 63);
}
