// Jobs on DynamoDB: the job and its chunks of work in the jobs table, the list of active jobs the worker reads,
// and the items' outcomes, which are the job's idempotency records in the profiles table (each completed in the
// same transaction as the change it records). In two halves, each built and bundled only where declared
// (lambdas/adapters/wiring.ts): the routes' (`jobs`) and the worker's (`jobWork`).
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { JobFinished, JobNotFound } from '#domain/errors.ts';
import type { Job, JobOutcome } from '#domain/job.ts';
import type { JobChunk, JobStore, JobWork } from '#services/job-ports.ts';
import type { Page } from '#services/ports.ts';
import { decodePosition, encodePosition } from './cursor.ts';

/** How long a job, its work and its outcomes are kept after it was created. */
export const JOB_KEEP_SECONDS = 30 * 24 * 3600;
const ACTIVE = 'ACTIVE';

const jobKey = (tenantId: string, jobId: string) => ({ pk: tenantId, sk: `JOB#${jobId}` });
const chunkKey = (tenantId: string, jobId: string, index: number) => ({
  pk: tenantId,
  sk: `CHUNK#${jobId}#${String(index).padStart(4, '0')}`,
});
/** The idempotency caller of a job's items: their records sit together under it, in item order. */
export const jobCaller = (jobId: string) => `job:${jobId}`;
export const itemKey = (index: number) => String(index).padStart(5, '0');
const outcomePrefix = (jobId: string) => `IDEMPOTENCY#${jobCaller(jobId)}#`;

type JobItem = Job & { pk: string; sk: string; expiresAt: number };

function toJob(item: Record<string, unknown>): Job {
  const { pk: _pk, sk: _sk, expiresAt: _expires, ...job } = item as unknown as JobItem;
  return job;
}

/** What both halves do: read a job and its outcomes, and end one (a cancellation, or the worker's last settle). */
class DynamoJobs {
  constructor(
    protected readonly options: { client: DynamoDBDocumentClient; jobsTable: string; profilesTable: string },
  ) {}

  async get(tenantId: string, jobId: string): Promise<Job | undefined> {
    const { Item } = await this.options.client.send(
      new GetCommand({
        TableName: this.options.jobsTable,
        Key: jobKey(tenantId, jobId),
        ConsistentRead: true,
      }),
    );
    return Item ? toJob(Item) : undefined;
  }

  async cancel(tenantId: string, jobId: string, at: string): Promise<Job> {
    const job = await this.get(tenantId, jobId);
    if (!job) throw new JobNotFound();
    if (job.state === 'completed' || job.state === 'cancelled') throw new JobFinished(job.state);
    return this.finish(job, 'cancelled', at);
  }

  /** Ends the job and takes it off the active list, in one transaction; only a job still queued or running. */
  protected async finish(job: Job, state: 'completed' | 'cancelled', at: string): Promise<Job> {
    const { client, jobsTable } = this.options;
    const finishable = job.state === 'queued' || job.state === 'running';
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: jobsTable,
                Key: jobKey(job.tenantId, job.id),
                UpdateExpression: 'SET #state = :state, finishedAt = :at',
                ConditionExpression: finishable ? '#state IN (:queued, :running)' : '#state = :cancelled',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: {
                  ':state': state,
                  ':at': job.finishedAt ?? at,
                  ...(finishable
                    ? { ':queued': 'queued', ':running': 'running' }
                    : { ':cancelled': 'cancelled' }),
                },
              },
            },
            { Delete: { TableName: jobsTable, Key: { pk: ACTIVE, sk: job.id } } },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const now = await this.get(job.tenantId, job.id);
      if (!now) throw new JobNotFound();
      throw new JobFinished(now.state);
    }
    return { ...job, state, finishedAt: job.finishedAt ?? at };
  }

  async outcomes(
    tenantId: string,
    jobId: string,
    page: { limit: number; cursor?: string; from?: number; to?: number },
  ): Promise<Page<JobOutcome>> {
    const prefix = outcomePrefix(jobId);
    const bounded = page.from !== undefined && page.to !== undefined;
    const answer = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.profilesTable,
        KeyConditionExpression: bounded
          ? 'pk = :pk AND sk BETWEEN :from AND :to'
          : 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: bounded
          ? {
              ':pk': tenantId,
              ':from': prefix + itemKey(page.from ?? 0),
              ':to': prefix + itemKey(page.to ?? 0),
            }
          : { ':pk': tenantId, ':prefix': prefix },
        ConsistentRead: true,
        Limit: page.limit,
        ...(page.cursor
          ? { ExclusiveStartKey: { pk: tenantId, sk: prefix + decodePosition(page.cursor, 1)[0] } }
          : {}),
      }),
    );
    const items = (answer.Items ?? []).flatMap((record) => {
      // A record still started is an item under way (or of a worker that stopped): no outcome yet.
      if (record.state !== 'completed') return [];
      return [outcomeOf(record.sk as string, record.fingerprint as string, record.result)];
    });
    const last = answer.LastEvaluatedKey?.sk as string | undefined;
    return { items, ...(last ? { next: encodePosition([last.slice(prefix.length)]) } : {}) };
  }
}

/** The job routes' half (JobStore): a job started with its work, the tenant's jobs listed. */
export class DynamoJobStore extends DynamoJobs implements JobStore {
  async create(job: Job, chunks: unknown[][]): Promise<void> {
    const { client, jobsTable } = this.options;
    const expiresAt = Math.floor(Date.parse(job.createdAt) / 1000) + JOB_KEEP_SECONDS;
    // The work first: a job is listed only once all of it is stored.
    const puts = chunks.map((items, index) => ({
      PutRequest: { Item: { ...chunkKey(job.tenantId, job.id, index), items, expiresAt } },
    }));
    for (let i = 0; i < puts.length; i += 25) {
      let pending: unknown[] | undefined = puts.slice(i, i + 25);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error('Job work not stored: DynamoDB kept items unprocessed');
        const answer: { UnprocessedItems?: Record<string, unknown[]> } = await client.send(
          new BatchWriteCommand({ RequestItems: { [jobsTable]: pending as never } }),
        );
        pending = answer.UnprocessedItems?.[jobsTable];
        if (pending?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: jobsTable,
              Item: { ...jobKey(job.tenantId, job.id), ...job, expiresAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: jobsTable,
              Item: { pk: ACTIVE, sk: job.id, tenantId: job.tenantId, expiresAt },
            },
          },
        ],
      }),
    );
  }

  async list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<Job>> {
    const answer = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.jobsTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :job)',
        ExpressionAttributeValues: { ':pk': tenantId, ':job': 'JOB#' },
        ScanIndexForward: false,
        Limit: page.limit,
        ...(page.cursor
          ? { ExclusiveStartKey: { pk: tenantId, sk: `JOB#${decodePosition(page.cursor, 1)[0]}` } }
          : {}),
      }),
    );
    return {
      items: (answer.Items ?? []).map(toJob),
      ...(answer.LastEvaluatedKey
        ? { next: encodePosition([String(answer.LastEvaluatedKey.sk).slice('JOB#'.length)]) }
        : {}),
    };
  }
}

/** The job worker's half (JobWork): the active jobs, their chunks, each job started and its chunks settled. */
export class DynamoJobWork extends DynamoJobs implements JobWork {
  async active(): Promise<{ tenantId: string; jobId: string }[]> {
    const found: { tenantId: string; jobId: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const answer = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.jobsTable,
          KeyConditionExpression: 'pk = :active',
          ExpressionAttributeValues: { ':active': ACTIVE },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of answer.Items ?? []) {
        found.push({ tenantId: item.tenantId as string, jobId: item.sk as string });
      }
      start = answer.LastEvaluatedKey;
    } while (start);
    return found;
  }

  async chunk(tenantId: string, jobId: string, index: number): Promise<JobChunk> {
    const { Item } = await this.options.client.send(
      new GetCommand({
        TableName: this.options.jobsTable,
        Key: chunkKey(tenantId, jobId, index),
        ConsistentRead: true,
      }),
    );
    if (!Item) throw new Error(`Chunk ${index} of job ${jobId} is missing`);
    return { index, items: Item.items as unknown[], settled: Item.settled === true };
  }

  async start(job: Job, at: string): Promise<void> {
    await this.options.client
      .send(
        new UpdateCommand({
          TableName: this.options.jobsTable,
          Key: jobKey(job.tenantId, job.id),
          UpdateExpression: 'SET #state = :running, startedAt = :at, progressAt = :at',
          ConditionExpression: '#state = :queued',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':at': at },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      });
  }

  async settle(job: Job, chunk: number, counts: { done: number; failed: number }, at: string): Promise<Job> {
    const { client, jobsTable } = this.options;
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: jobsTable,
                Key: chunkKey(job.tenantId, job.id, chunk),
                UpdateExpression: 'SET settled = :true',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(settled)',
                ExpressionAttributeValues: { ':true': true },
              },
            },
            {
              Update: {
                TableName: jobsTable,
                Key: jobKey(job.tenantId, job.id),
                UpdateExpression: 'SET progressAt = :at ADD done :done, failed :failed',
                ExpressionAttributeValues: { ':done': counts.done, ':failed': counts.failed, ':at': at },
              },
            },
          ],
        }),
      );
    } catch (error) {
      // Counted already (a worker that stopped after counting): counting again would count twice.
      if (!(error instanceof TransactionCanceledException)) throw error;
    }
    const now = (await this.get(job.tenantId, job.id)) as Job;
    if (now.done + now.failed < now.total || now.state === 'completed') return now;
    try {
      return await this.finish(now, now.state === 'cancelled' ? 'cancelled' : 'completed', at);
    } catch (error) {
      // The job's last two chunks settled at once, and the other one's settle finished it first.
      if (!(error instanceof JobFinished)) throw error;
      return (await this.get(job.tenantId, job.id)) as Job;
    }
  }
}

/**
 * The fingerprint of an item's record names the item (`user:<id>`, `row:<n>`); its result is what the
 * operation completed it with (the user it changed or made), or the failure the worker recorded.
 */
function outcomeOf(sk: string, fingerprint: string, result: unknown): JobOutcome {
  const index = Number(sk.slice(sk.lastIndexOf('#') + 1));
  const item = fingerprint;
  const value = (result ?? {}) as Record<string, unknown>;
  if (value.outcome === 'failed') {
    return {
      index,
      item,
      outcome: 'failed',
      ...(typeof value.userId === 'string' ? { userId: value.userId } : {}),
      failure: value.failure as Extract<JobOutcome, { outcome: 'failed' }>['failure'],
    };
  }
  const userId = typeof value.id === 'string' ? value.id : item.replace(/^user:/, '');
  return { index, item, outcome: 'done', userId };
}
