// A job: a bulk action or an import, run by the job worker item by item, with one outcome per item.
import type { Permission } from './permissions.ts';
import type { Actor } from './user.ts';

/** What a bulk job may do to each user: each the operation of its own route (lambdas/services/bulk.ts). */
export const BULK_ACTIONS = [
  'deactivate',
  'activate',
  'archive',
  'restore',
  'reset-password',
  'resend-invitation',
  'email',
] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** The permission each action needs: its own route's (a table of its own, so naming it brings in no use case). */
export const BULK_PERMISSION = {
  deactivate: 'users.lifecycle',
  activate: 'users.lifecycle',
  archive: 'users.lifecycle',
  restore: 'users.lifecycle',
  'reset-password': 'users.password.reset',
  'resend-invitation': 'users.lifecycle',
  email: 'users.email',
} as const satisfies Record<BulkAction, Permission>;

export const JOB_STATES = ['queued', 'running', 'completed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** At most this many items per job: ids named, users matching a search, or rows of a file. */
export const MAX_JOB_ITEMS = 10_000;
/** Items per stored chunk: the unit the worker loads, settles and counts. */
export const CHUNK_SIZE = 25;

export interface Job {
  id: string;
  tenantId: string;
  /** The bulk action, or `import`. */
  action: string;
  state: JobState;
  total: number;
  done: number;
  failed: number;
  chunks: number;
  createdAt: string;
  createdBy: Actor;
  startedAt?: string;
  finishedAt?: string;
  /** When an item last settled (or the job started): a running job that stops moving is stalled. */
  progressAt?: string;
  /** The bulk email action's message; an import's "activate". */
  options: { message?: { subject: string; text: string; html?: string }; activate?: boolean };
}

/** An item's outcome: done (with the user it made or changed), or failed with why. */
export type JobOutcome =
  | { index: number; item: string; outcome: 'done'; userId: string }
  | {
      index: number;
      item: string;
      outcome: 'failed';
      userId?: string;
      failure: { code: string; message: string; issues?: { field: string; message: string }[] };
    };

/** Job ids sort by creation time, so a tenant's jobs list newest first; the random tail makes them unique. */
export function newJobId(at: Date, random: string): string {
  return `${at.toISOString().replace(/[-:.]/g, '')}-${random.replace(/-/g, '').slice(0, 8)}`;
}
export const JOB_ID_PATTERN = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

/** How many items are neither done nor failed: waiting, or never to run after a cancel. */
export const left = (job: Job) => job.total - job.done - job.failed;

/** A job the worker should have moved on by now: nothing settled for STALLED_AFTER_MS. */
export const STALLED_AFTER_MS = 15 * 60_000;
export function isStalled(job: Job, now: Date): boolean {
  return now.getTime() - Date.parse(job.progressAt ?? job.createdAt) > STALLED_AFTER_MS;
}

export function isFinished(job: Job): boolean {
  return job.state === 'completed' || job.state === 'cancelled';
}

/** Splits items into chunks of CHUNK_SIZE. */
export function chunked<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK_SIZE) chunks.push(items.slice(i, i + CHUNK_SIZE));
  return chunks;
}
