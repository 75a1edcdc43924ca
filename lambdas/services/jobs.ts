// Use cases of jobs: start a bulk action or an import as a job, read it and its outcomes, cancel it.
import { Forbidden, InvalidInput, JobNotFound } from '#domain/errors.ts';
import { type ImportRow, importItems, validateRows } from '#domain/import-file.ts';
import {
  BULK_PERMISSION,
  type BulkAction,
  chunked,
  type Job,
  type JobOutcome,
  MAX_JOB_ITEMS,
  newJobId,
} from '#domain/job.ts';
import type { Filters } from '#domain/search.ts';
import { listUsers } from './get-user.ts';
import type { JobStore, JobWork } from './job-ports.ts';
import type { Caller, Deps, Message, Page } from './ports.ts';

export interface JobDeps extends Deps {
  /** The job routes' half of the job store. */
  jobs: JobStore;
  /** The job worker's half. */
  jobWork: JobWork;
}

export interface BulkJobRequest {
  action: BulkAction;
  /** The users named, or every user matching `search` (within the caller's reach) when it is given. */
  userIds?: readonly string[];
  search?: { q?: string } & Filters;
  message?: Message;
}

/** A bulk action as a job: the users named, or every one a search finds now, up to MAX_JOB_ITEMS. */
export async function startBulkJob(deps: JobDeps, caller: Caller, request: BulkJobRequest): Promise<Job> {
  const permission = BULK_PERMISSION[request.action];
  if (!caller.access.has(permission)) {
    throw new Forbidden(`The ${request.action} action needs the permission ${permission}.`);
  }
  const userIds = request.search
    ? await everyMatch(deps, { ...caller, reach: caller.access.reach(permission) }, request.search)
    : [...(request.userIds ?? [])];
  return startJob(
    deps,
    caller,
    request.action,
    userIds.map((id) => `user:${id}`),
    {
      ...(request.message ? { message: request.message } : {}),
    },
  );
}

/** Every user the search finds, within the caller's reach; more than a job may hold is refused. */
async function everyMatch(deps: Deps, caller: Caller, search: BulkJobRequest['search']): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listUsers(deps, caller, { ...search, limit: 100, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((u) => u.id));
    if (ids.length > MAX_JOB_ITEMS) {
      throw new InvalidInput([
        { field: 'body.search', message: `finds more than ${MAX_JOB_ITEMS} users; narrow it` },
      ]);
    }
    cursor = page.next;
  } while (cursor);
  if (ids.length === 0) throw new InvalidInput([{ field: 'body.search', message: 'finds no user' }]);
  return ids;
}

/**
 * An import as a job: every row, valid or not (an invalid row's outcome names what is wrong with it), so each
 * row of the file has its outcome under its own number.
 */
export function startImport(deps: JobDeps, caller: Caller, rows: readonly ImportRow[], activate: boolean) {
  return startJob(deps, caller, 'import', importItems(rows), { activate });
}

/** The dry run of an import: each row's validation, nothing created. */
export function checkImport(rows: readonly ImportRow[]) {
  const results = validateRows(rows);
  const valid = results.filter((r) => r.outcome === 'valid').length;
  return { rows: rows.length, valid, invalid: rows.length - valid, results };
}

async function startJob(
  deps: JobDeps,
  caller: Caller,
  action: string,
  items: unknown[],
  options: Job['options'],
): Promise<Job> {
  const now = deps.now();
  const job: Job = {
    id: newJobId(now, deps.newId()),
    tenantId: caller.tenant.id,
    action,
    state: 'queued',
    total: items.length,
    done: 0,
    failed: 0,
    chunks: Math.ceil(items.length / 25),
    createdAt: now.toISOString(),
    createdBy: caller.actor,
    options,
  };
  await deps.jobs.create(job, chunked(items));
  if (caller.idempotency) await deps.idempotency.complete(caller.idempotency, job);
  return job;
}

/**
 * A job is seen by its creator, and by whoever reaches the whole tenant: its outcomes name users a scoped
 * administrator may not reach, so to them another's job is as absent as another tenant's.
 */
const sees = (caller: Caller, job: Job) => caller.reach.tenantWide || job.createdBy.id === caller.actor.id;

export async function getJob(deps: JobDeps, caller: Caller, jobId: string): Promise<Job> {
  const job = await deps.jobs.get(caller.tenant.id, jobId);
  if (!job || !sees(caller, job)) throw new JobNotFound();
  return job;
}

export async function listJobs(
  deps: JobDeps,
  caller: Caller,
  page: { limit: number; cursor?: string },
): Promise<Page<Job>> {
  const found = await deps.jobs.list(caller.tenant.id, page);
  return { ...found, items: found.items.filter((job) => sees(caller, job)) };
}

export async function jobResults(
  deps: JobDeps,
  caller: Caller,
  jobId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<JobOutcome>> {
  await getJob(deps, caller, jobId);
  return deps.jobs.outcomes(caller.tenant.id, jobId, page);
}

/** Cancels what has not started; items under way finish, and keep their outcomes. */
export async function cancelJob(deps: JobDeps, caller: Caller, jobId: string): Promise<Job> {
  await getJob(deps, caller, jobId);
  return deps.jobs.cancel(caller.tenant.id, jobId, deps.now().toISOString());
}
