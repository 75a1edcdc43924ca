// The job worker's use case: runs every tenant's active jobs item by item, tenants served in turn, each item
// exactly once (its outcome is its idempotency record, completed in the same transaction as its change).
import { accessOf } from '#domain/access.ts';
import { DomainError, Forbidden, InvalidInput, JobFinished, RequestInProgress } from '#domain/errors.ts';
import { profileOfRow } from '#domain/import-file.ts';
import { CHUNK_SIZE, type Job, MAX_JOB_ITEMS } from '#domain/job.ts';
import type { Permission } from '#domain/permissions.ts';
import { BULK_ACTIONS, BULK_PERMISSION, type BulkAction, failureOf, runBulkItem } from './bulk.ts';
import { createUser } from './create-user.ts';
import type { JobDeps } from './jobs.ts';
import type { Caller, IdempotencyLease, IdempotencyStore, Tenant } from './ports.ts';

export interface WorkerOptions {
  /**
   * Items worked on at once per size class (see sizeClass), across all tenants: a job of a smaller class never
   * waits for a lane held by a bigger one's items, which wait for their Cognito calls behind its own.
   */
  lanes: number;
  /** True once the run should take no new item (its time is nearly up). */
  stopping: () => boolean;
  /** How often the list of active jobs is read again: new jobs join the rotation, cancelled ones leave it. */
  refreshMs: number;
  /** The idempotency store of job items: its lease is how long a stopped worker's item stays untouchable. */
  items: IdempotencyStore;
  /** After this long, chunks whose items were held by a stopped worker's lease are tried again. */
  retryHeldMs: number;
  /** A job's tenant, from the registry: a job whose tenant is retired (or gone) is cancelled, never run. */
  tenant: (id: string) => Promise<Tenant | undefined>;
  /** The job item ids of a job: how its idempotency records are keyed. */
  keys: { caller: (jobId: string) => string; item: (index: number) => string };
  log: (message: string, details: Record<string, unknown>) => void;
  /** Runs an item's work with its Cognito calls at a priority (lower first) in the shared pace's queue. */
  prioritise?: <T>(priority: number, work: () => Promise<T>) => Promise<T>;
  sleep: (ms: number) => Promise<void>;
}

interface ChunkWork {
  index: number;
  size: number;
  remaining: number;
  held: boolean;
  /** Some of its items will never run (the job was cancelled): it settles with the outcomes it has. */
  abandoned?: boolean;
}

interface WorkItem {
  run: JobRun;
  chunk: ChunkWork;
  index: number;
  item: unknown;
  /** The job's size class when the item was taken: the lanes it counts against. */
  size?: number;
}

interface JobRun {
  job: Job;
  caller?: Caller | Forbidden;
  nextChunk: number;
  pending: WorkItem[];
  loading?: Promise<void>;
  held: boolean;
  retryAt?: number;
  gone: boolean;
}

const TRANSIENT_ATTEMPTS = 3;

/**
 * How much work a job has left, as an order of magnitude: jobs of the same size class are served in turn, and
 * a smaller class goes first (its items, and their Cognito calls), so a big job never holds a small one back.
 */
export function sizeClass(job: Job): number {
  return Math.floor(Math.log10(Math.max(0, job.total - job.done - job.failed) + 1));
}

/** Size classes a job can be in: 0 (fewer than 9 items left) to that of a job of MAX_JOB_ITEMS. */
const SIZE_CLASSES = Math.floor(Math.log10(MAX_JOB_ITEMS + 1)) + 1;

/** Runs until no active job has work left for this run, or `stopping()`; answers how many items it settled. */
export async function runJobs(deps: JobDeps, options: WorkerOptions): Promise<{ items: number }> {
  const runs = new Map<string, JobRun>();
  const rotation: string[] = [];
  let turn = 0;
  let lastRefresh = -Infinity;
  let activeCount = 0;
  let settled = 0;
  /** Items under way per size class: each class has `lanes` of its own. */
  const busy = new Map<number, number>();
  const full = (size: number) => (busy.get(size) ?? 0) >= options.lanes;

  let refreshing: Promise<void> | undefined;
  /** One read of the active list at a time: every lane waits for it rather than acting on a stale list. */
  function refresh(): Promise<void> {
    if (refreshing) return refreshing;
    if (Date.now() - lastRefresh < options.refreshMs) return Promise.resolve();
    refreshing = readActive().finally(() => {
      lastRefresh = Date.now();
      refreshing = undefined;
    });
    return refreshing;
  }

  async function readActive(): Promise<void> {
    const active = await deps.jobWork.active();
    activeCount = active.length;
    const ids = new Set(active.map((a) => a.jobId));
    for (const [id, run] of runs) {
      // Cancelled or completed: nothing more of it starts.
      if (!ids.has(id)) await abandon(run);
    }
    for (const { tenantId, jobId } of active) {
      if (runs.has(jobId)) continue;
      const job = await deps.jobWork.get(tenantId, jobId);
      if (!job) continue;
      const tenant = await options.tenant(tenantId);
      if (tenant?.status !== 'active') {
        await cancelForTenant(job, tenant);
        continue;
      }
      runs.set(jobId, { job, nextChunk: 0, pending: [], held: false, gone: false });
      if (!rotation.includes(tenantId)) rotation.push(tenantId);
    }
  }

  /**
   * A retired tenant's users are refused on every route and at sign-in: its jobs stop too. What has not started
   * is cancelled (it stays `left`); items under way finish, as a cancel by the tenant would leave them.
   */
  async function cancelForTenant(job: Job, tenant: Tenant | undefined): Promise<void> {
    await deps.jobWork.cancel(job.tenantId, job.id, deps.now().toISOString()).catch((error: unknown) => {
      if (!(error instanceof JobFinished)) throw error;
    });
    options.log('Job cancelled: its tenant is not active', {
      jobId: job.id,
      tenant: job.tenantId,
      status: tenant?.status ?? 'unknown',
    });
  }

  /**
   * A job that ended (cancelled) while some of a chunk's items were loaded but not started: they never start,
   * and the chunk is counted with the outcomes its started items have (now, or when the last of them ends), so
   * the job's counts always match its outcomes.
   */
  async function abandon(run: JobRun): Promise<void> {
    run.gone = true;
    runs.delete(run.job.id);
    const chunks = new Set<ChunkWork>();
    for (const item of run.pending.splice(0)) {
      item.chunk.remaining -= 1;
      item.chunk.abandoned = true;
      chunks.add(item.chunk);
    }
    for (const chunk of chunks) if (chunk.remaining === 0 && !chunk.held) await settle(run, chunk);
  }

  /** The tenant's job with an item to start now: the smallest, then the oldest. */
  async function pullFrom(tenantId: string): Promise<WorkItem | undefined> {
    const jobs = [...runs.values()]
      .filter((r) => r.job.tenantId === tenantId)
      .sort((a, b) => sizeClass(a.job) - sizeClass(b.job) || a.job.id.localeCompare(b.job.id));
    for (const run of jobs) {
      const item = await pull(run);
      if (item) return item;
    }
    return undefined;
  }

  /** The job's next item, counted at once against its size class's lanes; none while those are all taken. */
  async function pull(run: JobRun): Promise<WorkItem | undefined> {
    for (;;) {
      if (run.gone) return undefined;
      const size = sizeClass(run.job);
      if (full(size)) return undefined;
      const next = run.pending.shift();
      if (next) {
        busy.set(size, (busy.get(size) ?? 0) + 1);
        return { ...next, size };
      }
      if (run.loading) {
        await run.loading;
        continue;
      }
      if (run.nextChunk >= run.job.chunks) {
        if (!run.held) return undefined;
        // Items a stopped worker still held: look again once its leases have run out.
        run.retryAt ??= Date.now() + options.retryHeldMs;
        if (Date.now() < run.retryAt) return undefined;
        run.held = false;
        run.retryAt = undefined;
        run.nextChunk = 0;
      }
      run.loading = load(run).finally(() => {
        run.loading = undefined;
      });
    }
  }

  async function load(run: JobRun): Promise<void> {
    // Read again per chunk (cached per instance, as the API's is): a tenant retired mid-job stops within it.
    const tenant = await options.tenant(run.job.tenantId);
    if (tenant?.status !== 'active') {
      await cancelForTenant(run.job, tenant);
      await abandon(run);
      return;
    }
    const index = run.nextChunk++;
    const chunk = await deps.jobWork.chunk(run.job.tenantId, run.job.id, index);
    if (chunk.settled) return;
    if (run.job.state === 'queued') {
      const at = deps.now().toISOString();
      await deps.jobWork.start(run.job, at);
      run.job = { ...run.job, state: 'running', startedAt: at };
    }
    // Authorised per chunk against the creator's current profile, as the API authorises every request.
    run.caller = await callerOf(run.job, tenant);
    const work: ChunkWork = { index, size: chunk.items.length, remaining: chunk.items.length, held: false };
    run.pending.push(
      ...chunk.items.map((item, i) => ({ run, chunk: work, index: index * CHUNK_SIZE + i, item })),
    );
  }

  async function callerOf(job: Job, tenant: Tenant): Promise<Caller | Forbidden> {
    const creator = await deps.users.get(job.tenantId, job.createdBy.id);
    if (creator?.status !== 'active') {
      return new Forbidden(
        `The job's creator is ${creator ? creator.status : 'deleted'}: the job may not act.`,
      );
    }
    const access = accessOf(creator.roles, await deps.roles.catalogue(job.tenantId));
    const permission: Permission = isBulk(job.action) ? BULK_PERMISSION[job.action] : 'users.create';
    const needs: Permission[] = isBulk(job.action) ? ['users.lifecycle', permission] : [permission];
    const missing = needs.find((p) => !access.has(p));
    if (missing) return new Forbidden(`The job's creator no longer holds the permission ${missing}.`);
    return {
      tenant,
      actor: job.createdBy,
      requestId: `job-${job.id}`,
      access,
      reach: access.reach(permission),
    };
  }

  async function next(): Promise<WorkItem | undefined> {
    for (;;) {
      if (options.stopping()) return undefined;
      await refresh();
      // Tenants in turn, starting after the one served last; a tenant whose job is of a smaller size first.
      const order = rotation
        .map((tenantId, i) => ({ tenantId, at: i, distance: (i - turn + rotation.length) % rotation.length }))
        .map((t) => ({
          ...t,
          size: Math.min(
            99,
            ...[...runs.values()].filter((r) => r.job.tenantId === t.tenantId).map((r) => sizeClass(r.job)),
          ),
        }))
        .sort((a, b) => a.size - b.size || a.distance - b.distance);
      for (const { tenantId, at } of order) {
        const item = await pullFrom(tenantId);
        if (item) {
          // The next lane asks the next tenant first: tenants are served in turn.
          turn = (at + 1) % rotation.length;
          return item;
        }
      }
      if (activeCount === 0) return undefined;
      // Every active job's items are under way (or its class's lanes are full), or held: wait for them, or
      // for new jobs. The list is read again when it is older than refreshMs, once for all waiting lanes.
      await options.sleep(options.refreshMs);
      await refresh();
      if (activeCount === 0) return undefined;
    }
  }

  async function work(w: WorkItem): Promise<void> {
    try {
      await workOn(w);
    } finally {
      if (w.size !== undefined) busy.set(w.size, (busy.get(w.size) ?? 1) - 1);
    }
  }

  async function workOn(w: WorkItem): Promise<void> {
    const { run, chunk } = w;
    const { job } = run;
    const fingerprint = isBulk(job.action) ? String(w.item) : `row:${w.index + 1}`;
    const key = {
      tenantId: job.tenantId,
      callerId: options.keys.caller(job.id),
      key: options.keys.item(w.index),
    };
    try {
      for (let attempt = 1; ; attempt++) {
        const begun = await options.items.begin(key, fingerprint);
        if (begun.state === 'completed') break;
        try {
          const lease = begun.lease;
          await (options.prioritise ?? ((_p, fn) => fn()))(sizeClass(job), () => act(run, w, lease));
          break;
        } catch (error) {
          if (error instanceof DomainError || attempt >= TRANSIENT_ATTEMPTS) {
            if (!(error instanceof DomainError)) {
              options.log('Job item failed', { jobId: job.id, index: w.index, error: String(error) });
            }
            await fail(begun.lease, fingerprint, error);
            break;
          }
          // Not the item's fault (a timeout, a throttle the SDK gave up on): let go and try again.
          await options.items.release(begun.lease).catch(() => undefined);
          await options.sleep(200 * attempt);
        }
      }
    } catch (error) {
      // Held by another attempt (a worker that stopped mid-item): left for when its lease runs out.
      if (!(error instanceof RequestInProgress)) {
        options.log('Job item left for a later run', { jobId: job.id, index: w.index, error: String(error) });
      }
      chunk.held = true;
    }
    chunk.remaining -= 1;
    if (chunk.remaining > 0) return;
    if (chunk.held) {
      run.held = true;
      return;
    }
    await settle(run, chunk);
  }

  async function act(run: JobRun, w: WorkItem, lease: IdempotencyLease): Promise<void> {
    const { job } = run;
    if (!run.caller || run.caller instanceof Forbidden) throw run.caller ?? new Forbidden('Not authorised.');
    const caller: Caller = { ...run.caller, idempotency: lease };
    if (isBulk(job.action)) {
      await runBulkItem(deps, caller, job.action, String(w.item).replace(/^user:/, ''), job.options.message);
      return;
    }
    const checked = profileOfRow({ row: w.index + 1, fields: w.item as Record<string, unknown> });
    if (checked.issues) throw new InvalidInput(checked.issues);
    await createUser(deps, caller, checked.profile, job.options.activate === true);
  }

  async function fail(lease: IdempotencyLease, item: string, error: unknown): Promise<void> {
    const userId = item.startsWith('user:') ? item.slice(5) : undefined;
    try {
      await options.items.complete(lease, {
        outcome: 'failed',
        ...(userId ? { userId } : {}),
        failure: failureOf(error),
      });
    } catch (completion) {
      // The operation completed its record after all (a failure after its final write): that outcome stands.
      if (!(completion instanceof Error && completion.name === 'ConditionalCheckFailedException'))
        throw completion;
    }
  }

  async function settle(run: JobRun, chunk: ChunkWork): Promise<void> {
    const from = chunk.index * CHUNK_SIZE;
    const page = await deps.jobWork.outcomes(run.job.tenantId, run.job.id, {
      limit: chunk.size,
      from,
      to: from + chunk.size - 1,
    });
    if (page.items.length < chunk.size && !chunk.abandoned) {
      run.held = true;
      return;
    }
    const done = page.items.filter((o) => o.outcome === 'done').length;
    run.job = await deps.jobWork.settle(
      run.job,
      chunk.index,
      { done, failed: page.items.length - done },
      deps.now().toISOString(),
    );
    settled += page.items.length;
    if (run.job.state === 'completed') {
      options.log('Job completed', {
        jobId: run.job.id,
        tenant: run.job.tenantId,
        done: run.job.done,
        failed: run.job.failed,
      });
    }
  }

  const lane = async () => {
    for (let item = await next(); item; item = await next()) await work(item);
  };
  await Promise.all(Array.from({ length: options.lanes * SIZE_CLASSES }, lane));
  return { items: settled };
}

function isBulk(action: string): action is BulkAction {
  return (BULK_ACTIONS as readonly string[]).includes(action);
}
