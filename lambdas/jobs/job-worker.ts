// The job worker: runs every tenant's bulk jobs and imports, its Cognito calls on the account-wide shared pace.
// One instance at a time (reserved concurrency 1), started every minute; a run lasts while there is work.
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Context } from 'aws-lambda';
import { SharedCognitoPace, shareCognitoPace, withPacePriority } from '#adapters/cognito-pace.ts';
import { DynamoIdempotencyStore } from '#adapters/dynamo-idempotency-store.ts';
import { itemKey, JOB_KEEP_SECONDS, jobCaller } from '#adapters/dynamo-job-store.ts';
import { JobWorkerEnvironmentSchema, readEnvironment } from '#adapters/environment.ts';
import { logger } from '#adapters/logger.ts';
import { createDeps, createTenantReader, dynamo } from '#adapters/wiring.ts';
import { isStalled } from '#domain/job.ts';
import { runJobs } from '#services/job-worker.ts';
import { JOB_NEEDS } from './needs.ts';

const env = readEnvironment(JobWorkerEnvironmentSchema);

/** The worker's own Cognito client: every attempt, retries included, takes its call from the shared budget. */
export const cognito = new CognitoIdentityProviderClient({ retryMode: 'standard', maxAttempts: 6 });
export const pace = new SharedCognitoPace({
  client: dynamo,
  tableName: env.JOBS_TABLE,
  budget: env.COGNITO_BUDGET,
});
shareCognitoPace(cognito, pace);

// What it declares (lambdas/jobs/needs.ts), its Cognito client the shared pace's.
const deps = createDeps(env, JOB_NEEDS.jobWorker, { cognito });
const items = new DynamoIdempotencyStore({
  client: dynamo,
  profilesTable: env.PROFILES_TABLE,
  leaseMs: env.JOB_ITEM_LEASE_MS,
  keepSeconds: JOB_KEEP_SECONDS,
});

/** Each job's tenant (its pool, its rules, whether it is retired), read from the registry as the API reads it. */
const tenants = createTenantReader(env, env.TENANT_CACHE_SECONDS);

/** Time kept back at the end of a run, so items under way finish before Lambda's timeout. */
const FINISH_MS = 60_000;

export async function handler(_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) {
  const runId = randomUUID();
  logger.appendKeys({ requestId: `job-worker-${runId}` });
  const result = await runJobs(deps, {
    lanes: env.JOB_LANES,
    stopping: () => context.getRemainingTimeInMillis() < FINISH_MS,
    refreshMs: 200,
    items,
    retryHeldMs: env.JOB_ITEM_LEASE_MS,
    tenant: (id) => tenants.byId(id),
    keys: { caller: jobCaller, item: itemKey },
    log: (message, details) =>
      message === 'Job completed' ? logger.info(message, details) : logger.warn(message, details),
    prioritise: withPacePriority,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  // What the stalled-jobs alarm watches: jobs still active that nothing has moved for a while.
  const now = new Date();
  const active = await deps.jobWork.active();
  const jobs = await Promise.all(active.map((a) => deps.jobWork.get(a.tenantId, a.jobId)));
  const stalled = jobs.filter((job) => job && isStalled(job, now)).map((job) => job?.id);
  logger.info('Job worker run', {
    items: result.items,
    active: active.length,
    stalled: stalled.length,
    stalledJobs: stalled,
  });
  return result;
}
