// Use case: add a user to the tenant, optionally activating them at once.
import { createHash } from 'node:crypto';
import { diff } from '#domain/history.ts';
import { newUser, type Profile, type User } from '#domain/user.ts';
import { completing, historyEntry, writeOrUndo } from './changes.ts';
import type { Caller, Deps } from './ports.ts';
import { checkProfileRules } from './profile-rules.ts';

export async function createUser(
  deps: Deps,
  caller: Caller,
  profile: Profile,
  activate: boolean,
): Promise<User> {
  const at = deps.now().toISOString();
  let user = await checkProfileRules(
    deps,
    caller,
    undefined,
    newUser(idFor(deps, caller), profile, caller.actor, at),
  );
  const write = (created: User) =>
    deps.users.create(
      caller.tenant.id,
      created,
      historyEntry(deps, caller, 'user.created', created.id, diff(undefined, created)),
      completing(caller, created),
    );
  if (!activate) {
    await write(user);
    return user;
  }
  // The login first, then one transaction: a profile never says invited without a login behind it.
  const { sub } = await deps.directory.createLogin(caller.tenant, user);
  user = { ...user, status: 'invited', cognitoSub: sub, invitedAt: at };
  const created = user;
  await writeOrUndo(
    () => write(created),
    () => deps.directory.undoCreateLogin(caller.tenant, sub),
  );
  return user;
}

/**
 * A retry under the same Idempotency-Key gets the same user id, so it finds (and adopts) the login its
 * first attempt created instead of tripping over it.
 */
function idFor(deps: Deps, caller: Caller): string {
  if (!caller.idempotency) return deps.newId();
  const { tenantId, callerId, key } = caller.idempotency;
  const hex = createHash('sha256').update(`${tenantId}\n${callerId}\n${key}`).digest('hex');
  // Shaped as an RFC 4122 UUID (version 8: application-defined), like every other user id.
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
