// How results leave the API: users without internal fields and with their version as ETag, pages, deliveries.

import type { JobOutcome } from '#domain/job.ts';
import { type Job, left } from '#domain/job.ts';
import type { Role } from '#domain/roles.ts';
import type { User } from '#domain/user.ts';
import type { Reply } from '#http/api-handler.ts';
import { problemOf } from '#http/problem.ts';
import type { BulkItemResult } from '#services/bulk.ts';
import type { EmailSent } from '#services/email.ts';
import type { Page } from '#services/ports.ts';
import type { JobView, UserView } from './schemas.ts';

export function toView(user: User): UserView {
  const { cognitoSub: _internal, ...view } = user;
  return view;
}

export function userReply(user: User, status = 200): Reply {
  return { status, body: toView(user), headers: { etag: `"${user.version}"` } };
}

export function pageReply<T, V>(page: Page<T>, view: (item: T) => V): Reply {
  return { status: 200, body: { items: page.items.map(view), ...(page.next ? { next: page.next } : {}) } };
}

/** 202: Cognito has the mail on its way. */
export function deliveryReply(user: User): Reply {
  return {
    status: 202,
    body: { userId: user.id, delivery: user.status === 'invited' ? 'invitation' : 'reset-code' },
  };
}

export const noContent = (): Reply => ({ status: 204 });

export function roleReply(role: Role, status = 200): Reply {
  return { status, body: role, headers: { etag: `"${role.version}"` } };
}

/** One entry per user, in the order asked; a failure as the problem its own route would have answered. */
export function bulkReply(results: BulkItemResult[]): Reply {
  return {
    status: 200,
    body: {
      results: results.map((r) =>
        r.outcome === 'done'
          ? { userId: r.userId, outcome: 'done' }
          : { userId: r.userId, outcome: 'failed', problem: problemOf(r.failure) },
      ),
    },
  };
}

/** 202: SES has the message. */
export const emailReply = (sent: EmailSent): Reply => ({ status: 202, body: sent });

export function jobView(job: Job): JobView {
  return {
    id: job.id,
    action: job.action as JobView['action'],
    state: job.state,
    total: job.total,
    done: job.done,
    failed: job.failed,
    left: left(job),
    createdAt: job.createdAt,
    createdBy: job.createdBy,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.options.activate !== undefined ? { activate: job.options.activate } : {}),
  };
}

/** 202: the job is queued; `Location` names it. */
export function jobStartedReply(job: Job): Reply {
  return { status: 202, body: jobView(job), headers: { location: `/jobs/${job.id}` } };
}

/** A bulk request: answered at once (its results, in order), or started as a job. */
export function bulkOrJobReply(result: BulkItemResult[] | Job): Reply {
  return Array.isArray(result) ? bulkReply(result) : jobStartedReply(result);
}

export function outcomeView(outcome: JobOutcome) {
  return {
    item: outcome.index + 1,
    ...(outcome.userId ? { userId: outcome.userId } : {}),
    outcome: outcome.outcome,
    ...(outcome.outcome === 'failed' ? { problem: problemOf(outcome.failure) } : {}),
  };
}
