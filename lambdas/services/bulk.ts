// Use case of acting on many users at once: each user through the operation's own use case, a result per user.
import { DomainError, Forbidden, InvalidInput } from '#domain/errors.ts';
import { BULK_PERMISSION, type BulkAction } from '#domain/job.ts';
import type { Permission } from '#domain/permissions.ts';
import { emailUser } from './email.ts';
import { activateUser, archiveUser, deactivateUser, restoreUser } from './lifecycle.ts';
import { resendInvitation, resetPassword } from './passwords.ts';
import type { Caller, Deps, Message } from './ports.ts';

// The actions are the domain's (the request schema names them without bringing in every use case here).
export { BULK_ACTIONS, BULK_PERMISSION, type BulkAction } from '#domain/job.ts';

export interface BulkRequest {
  action: BulkAction;
  userIds: readonly string[];
  message?: Message;
}

/** Why one user failed: a domain error's name and words, or `Internal` for anything else. */
export interface BulkFailure {
  code: string;
  message: string;
  issues?: InvalidInput['issues'];
}

export type BulkItemResult =
  | { userId: string; outcome: 'done' }
  | { userId: string; outcome: 'failed'; failure: BulkFailure };

/** Users worked on at once by one request: with the instance's Cognito pace, what bounds a bulk job's share. */
export const BULK_CONCURRENCY = 4;

interface Operation {
  /** The permission of the operation's own route (BULK_PERMISSION), which the caller must hold. */
  permission: Permission;
  run(deps: Deps, caller: Caller, userId: string, message: Message | undefined): Promise<unknown>;
}

const OPERATIONS: Record<BulkAction, Operation> = {
  deactivate: {
    permission: BULK_PERMISSION.deactivate,
    run: (deps, caller, id) => deactivateUser(deps, caller, id),
  },
  activate: {
    permission: BULK_PERMISSION.activate,
    run: (deps, caller, id) => activateUser(deps, caller, id),
  },
  archive: { permission: BULK_PERMISSION.archive, run: (deps, caller, id) => archiveUser(deps, caller, id) },
  restore: { permission: BULK_PERMISSION.restore, run: (deps, caller, id) => restoreUser(deps, caller, id) },
  'reset-password': {
    permission: BULK_PERMISSION['reset-password'],
    run: (deps, caller, id) => resetPassword(deps, caller, id),
  },
  'resend-invitation': {
    permission: BULK_PERMISSION['resend-invitation'],
    run: (deps, caller, id) => resendInvitation(deps, caller, id),
  },
  email: {
    permission: BULK_PERMISSION.email,
    run: (deps, caller, id, message) => emailUser(deps, caller, id, message as Message),
  },
};

/** Runs one user of a bulk job through the action's own operation, as `caller` (whose lease completes it). */
export function runBulkItem(
  deps: Deps,
  caller: Caller,
  action: BulkAction,
  userId: string,
  message: Message | undefined,
): Promise<unknown> {
  return OPERATIONS[action].run(deps, caller, userId, message);
}

/**
 * Runs the action for every user, a few at a time; a failure stays that user's result. Under an
 * Idempotency-Key the per-user writes do not complete it (none of them is the last): it is completed with
 * every result once all are in.
 */
export async function bulkUsers(
  deps: Deps,
  caller: Caller,
  request: BulkRequest,
  log: (userId: string, error: unknown) => void = () => undefined,
): Promise<BulkItemResult[]> {
  const operation = OPERATIONS[request.action];
  if (!caller.access.has(operation.permission)) {
    throw new Forbidden(`The ${request.action} action needs the permission ${operation.permission}.`);
  }
  const { idempotency, ...rest } = caller;
  // Each user as the operation's own route would reach them: outside it is the same not-found as absent.
  const perUser: Caller = { ...rest, reach: caller.access.reach(operation.permission) };

  const results = await mapConcurrently(request.userIds, BULK_CONCURRENCY, async (userId) => {
    try {
      await operation.run(deps, perUser, userId, request.message);
      return { userId, outcome: 'done' } as const;
    } catch (error) {
      if (!(error instanceof DomainError)) log(userId, error);
      return { userId, outcome: 'failed', failure: failureOf(error) } as const;
    }
  });
  if (idempotency) await deps.idempotency.complete(idempotency, results);
  return results;
}

export function failureOf(error: unknown): BulkFailure {
  if (!(error instanceof DomainError)) return { code: 'Internal', message: '' };
  return {
    code: error.code,
    message: error.message,
    ...(error instanceof InvalidInput ? { issues: error.issues } : {}),
  };
}

/** `work` over `items`, at most `limit` at a time; results in the order of `items`. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
