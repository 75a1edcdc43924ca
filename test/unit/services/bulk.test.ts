// The bulk use case over fake ports: order, bounded concurrency, failures kept per user, one key completion.
import { describe, expect, it, vi } from 'vitest';
import type { User } from '#domain/user.ts';
import { BULK_CONCURRENCY, bulkUsers } from '#services/bulk.ts';
import type { Caller, Deps } from '#services/ports.ts';
import { aCaller, aUser } from '#test/unit/fixtures.ts';

const caller = (role = 'administrator', idempotency?: Caller['idempotency']) =>
  aCaller(role, idempotency ? { idempotency } : {});

/** Ports with `users` in store; restoring writes through `update`, which tracks how many run at once. */
function fakeDeps(users: User[]) {
  let running = 0;
  let most = 0;
  const updates: { options: unknown }[] = [];
  const deps = {
    users: {
      get: async (_tenant: string, id: string) => users.find((u) => u.id === id),
      update: async (_t: string, _b: User, _a: User, _e: unknown, options: unknown) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        updates.push({ options });
      },
    },
    idempotency: { complete: vi.fn(async () => undefined) },
    now: () => new Date('2026-01-01T00:00:00Z'),
    newId: () => 'id',
  } as unknown as Deps;
  return { deps, updates, most: () => most };
}

describe('bulkUsers', () => {
  it('answers every user in the order given, a failure for one leaving the others done', async () => {
    const archived = Array.from({ length: 9 }, () => aUser({ status: 'archived' }));
    const active = aUser({ status: 'active' });
    const { deps, most } = fakeDeps([...archived, active]);
    const ids = [archived[0]?.id, active.id, 'absent', ...archived.slice(1).map((u) => u.id)] as string[];

    const results = await bulkUsers(deps, caller(), { action: 'restore', userIds: ids });

    expect(results.map((r) => r.userId)).toEqual(ids);
    expect(results.map((r) => (r.outcome === 'done' ? 'done' : r.failure.code))).toEqual([
      'done',
      'InvalidTransition',
      'UserNotFound',
      ...Array(8).fill('done'),
    ]);
    expect(most()).toBe(BULK_CONCURRENCY);
  });

  it('completes the Idempotency-Key once, with every result, and never from a per-user write', async () => {
    const users = [aUser({ status: 'archived' }), aUser({ status: 'archived' })];
    const { deps, updates } = fakeDeps(users);
    const lease = { tenantId: 'acme', callerId: 'admin', key: 'k', lease: 'l' };

    const results = await bulkUsers(deps, caller('administrator', lease), {
      action: 'restore',
      userIds: users.map((u) => u.id),
    });

    expect(updates.map((u) => (u.options as { completes?: unknown }).completes)).toEqual([
      undefined,
      undefined,
    ]);
    expect(deps.idempotency.complete).toHaveBeenCalledOnce();
    expect(deps.idempotency.complete).toHaveBeenCalledWith(lease, results);
  });

  it('keeps an unexpected error as that user’s internal failure', async () => {
    const user = aUser({ status: 'archived' });
    const { deps } = fakeDeps([user]);
    deps.users.update = async () => {
      throw new Error('socket hang up');
    };
    const log = vi.fn();
    const [result] = await bulkUsers(deps, caller(), { action: 'restore', userIds: [user.id] }, log);
    expect(result).toEqual({
      userId: user.id,
      outcome: 'failed',
      failure: { code: 'Internal', message: '' },
    });
    expect(log).toHaveBeenCalledWith(user.id, expect.any(Error));
  });

  it('reaches users as the action’s own route would: a scoped administrator’s outside is not found', async () => {
    const inside = aUser({ status: 'archived', teams: ['north'] });
    const outside = aUser({ status: 'archived', teams: ['south'] });
    const { deps } = fakeDeps([inside, outside]);
    const results = await bulkUsers(deps, caller('team-administrator'), {
      action: 'restore',
      userIds: [inside.id, outside.id],
    });
    expect(results.map((r) => (r.outcome === 'done' ? 'done' : r.failure.code))).toEqual([
      'done',
      'UserNotFound',
    ]);
  });

  it('refuses an action whose own permission the caller lacks, before touching anyone', async () => {
    const { deps } = fakeDeps([]);
    // A caller holding users.lifecycle, the bulk route's own permission, and nothing else.
    const lifecycleOnly = {
      ...caller(),
      access: { ...caller().access, has: (p: string) => p === 'users.lifecycle' },
    };
    await expect(
      bulkUsers(deps, lifecycleOnly, {
        action: 'email',
        userIds: ['x'],
        message: { subject: 's', text: 't' },
      }),
    ).rejects.toThrow(/users\.email/);
  });
});
