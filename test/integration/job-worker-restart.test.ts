// A job worker that dies midway, and a new one that resumes: every user is acted on exactly once. The worker
// code runs here, in this process, on its own tables in the emulators' DynamoDB (so the offline backend's own
// worker never sees this job), with clients that can be "killed": from that moment every call fails, before it
// is sent or after it took effect, as a process that died would leave things.
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DEFAULT_COGNITO_BUDGET,
  SharedCognitoPace,
  shareCognitoPace,
  withPacePriority,
} from '#adapters/cognito-pace.ts';
import { DynamoIdempotencyStore } from '#adapters/dynamo-idempotency-store.ts';
import { itemKey, jobCaller } from '#adapters/dynamo-job-store.ts';
import { DynamoTenantRegistry } from '#adapters/dynamo-tenant-registry.ts';
import type { TableNames } from '#adapters/environment.ts';
import { TABLES } from '#adapters/table-definitions.ts';
import { createDeps } from '#adapters/wiring.ts';
import { ROUTES, storesOf } from '#api/routes.ts';
import { accessOf } from '#domain/access.ts';
import { diff } from '#domain/history.ts';
import { CHUNK_SIZE } from '#domain/job.ts';
import { newUser } from '#domain/user.ts';
import { JOB_NEEDS } from '#jobs/needs.ts';
import { ensureTables, localDynamoClient } from '#local/dynamodb.ts';
import { systemCaller } from '#services/changes.ts';
import { createUser } from '#services/create-user.ts';
import { runJobs, type WorkerOptions } from '#services/job-worker.ts';
import { type JobDeps, startBulkJob } from '#services/jobs.ts';
import type { Caller, Tenant } from '#services/ports.ts';
import { newProfile } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];
const USERS = 60;
const LEASE_MS = 1000;

class Killed extends Error {
  override name = 'Killed';
}

/** The ports of one worker process, on clients that all fail once `kill()` is called. */
function workerProcess(tables: Record<string, string>) {
  let dead = false;
  const killSwitch = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    if (dead) throw new Killed('the worker is dead');
    const result = await next(args);
    if (dead) throw new Killed('the worker died before it saw the answer');
    return result;
  };
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamo = DynamoDBDocumentClient.from(localDynamoClient(env.endpoints.dynamodb), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const cognito = new CognitoIdentityProviderClient({
    endpoint: env.endpoints.cognito,
    region: env.region,
    credentials,
  });
  dynamo.middlewareStack.add(killSwitch as never, { step: 'initialize', name: 'killSwitch' });
  cognito.middlewareStack.add(killSwitch as never, { step: 'initialize', name: 'killSwitch' });
  const profilesTable = tables.PROFILES_TABLE as string;
  // The ports the deployed worker is built with (JOB_NEEDS.jobWorker), on this process's clients.
  const clients = {
    dynamo,
    cognito,
    ses: new SESv2Client({ endpoint: env.endpoints.ses, region: env.region, credentials }),
  };
  const deps = createDeps(tables as unknown as TableNames, JOB_NEEDS.jobWorker, clients);
  // What starts a job and reads a user's history is the API's: the ports of POST /users/bulk and of
  // GET /users/{userId}/history, as declared, on the same clients.
  const api = createDeps(
    tables as unknown as TableNames,
    {
      clients: ROUTES.bulkUsers.clients,
      stores: [...storesOf(ROUTES.bulkUsers), ...storesOf(ROUTES.userHistory)],
      directory: ROUTES.bulkUsers.directory ?? [],
    },
    clients,
  );
  const items = new DynamoIdempotencyStore({ client: dynamo, profilesTable, leaseMs: LEASE_MS });
  return {
    deps,
    api,
    cognito,
    dynamo,
    kill: () => {
      dead = true;
    },
    /** Runs the worker; `registry` answers each job's tenant (by default: `tenant`, active). */
    run: (tenant: Tenant, registry?: WorkerOptions['tenant'], more: Partial<WorkerOptions> = {}) => {
      const options: WorkerOptions = {
        lanes: 4,
        stopping: () => dead,
        refreshMs: 100,
        items,
        retryHeldMs: LEASE_MS,
        tenant: registry ?? (async (id) => (id === tenant.id ? tenant : undefined)),
        keys: { caller: jobCaller, item: itemKey },
        log: () => undefined,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        ...more,
      };
      return runJobs(deps, options);
    },
  };
}

/** The job's creator: an active administrator of `tenant` (the worker authorises as them, per chunk). */
async function creatorIn(deps: JobDeps, tenant: Tenant): Promise<Caller> {
  const system = systemCaller(tenant, { id: 'test', name: 'Restart test' }, 'restart-setup');
  const at = new Date().toISOString();
  const admin = {
    ...newUser(
      randomUUID(),
      { ...newProfile(), roles: [{ role: 'administrator' }], userType: 'internal' },
      system.actor,
      at,
    ),
    status: 'active' as const,
  };
  await deps.users.create(tenant.id, admin, {
    id: randomUUID(),
    userId: admin.id,
    at,
    actor: system.actor,
    action: 'user.created',
    requestId: 'restart-setup',
    changes: diff(undefined, admin),
  });
  const access = accessOf(admin.roles, await deps.roles.catalogue(tenant.id));
  return {
    tenant,
    actor: { id: admin.id, name: 'Restart Admin' },
    requestId: 'restart',
    access,
    reach: access.reach('users.lifecycle'),
  };
}

/** Users of `tenant` with a login (invited): deactivating each takes two Cognito calls. */
async function invitedUsers(
  deps: JobDeps,
  tenant: Tenant,
  count: number,
): Promise<{ id: string; sub: string }[]> {
  const system = systemCaller(tenant, { id: 'test', name: 'Restart test' }, 'restart-setup');
  const made = await Promise.all(
    Array.from({ length: count }, () =>
      createUser(deps, system, { ...newProfile(), roles: [], userType: 'internal' }, true),
    ),
  );
  return made.map((u) => ({ id: u.id, sub: u.cognitoSub as string }));
}

let tables: Record<string, string>;
let tenant: Tenant;
let creator: Caller;
const userIds: string[] = [];

beforeAll(async () => {
  tables = await ensureTables(localDynamoClient(env.endpoints.dynamodb), `restart-${Date.now()}-`, TABLES);
  // The tenant as the deployed worker reads it: from the offline backend's registry.
  const registry = new DynamoTenantRegistry({
    client: localDynamoClient(env.endpoints.dynamodb),
    tableName: env.functionEnvironment.TENANTS_TABLE as string,
    cacheSeconds: 0,
  });
  tenant = (await registry.byId(acme.id)) as Tenant;

  const setup = workerProcess(tables);
  creator = await creatorIn(setup.deps, tenant);
  // Users with a login (invited), so deactivating each takes Cognito steps as well as the profile write.
  for (let i = 0; i < USERS; i += 10) {
    userIds.push(...(await invitedUsers(setup.deps, tenant, 10)).map((u) => u.id));
  }
}, 120_000);

describe('a job worker killed midway', () => {
  it('is resumed by the next one, and no user is acted on twice', async () => {
    const first = workerProcess(tables);
    const job = await startBulkJob(first.api, creator, { action: 'deactivate', userIds });

    // The first worker runs until a third of the outcomes are in, then dies where it stands.
    const running = first.run(tenant).catch((error: unknown) => error);
    let before = 0;
    const watcher = workerProcess(tables);
    while (before < USERS / 3) {
      await new Promise((r) => setTimeout(r, 20));
      before = (await watcher.deps.jobWork.outcomes(tenant.id, job.id, { limit: 1000 })).items.length;
    }
    first.kill();
    await running;
    const atDeath = (await watcher.deps.jobWork.outcomes(tenant.id, job.id, { limit: 1000 })).items.length;
    expect(atDeath).toBeGreaterThan(0);
    expect(atDeath).toBeLessThan(USERS);

    // The next worker finishes the job, taking over what the dead one held once its leases ran out.
    const second = workerProcess(tables);
    await second.run(tenant);

    const finished = await watcher.deps.jobWork.get(tenant.id, job.id);
    expect(finished).toMatchObject({ state: 'completed', total: USERS, done: USERS, failed: 0 });
    const outcomes = (await watcher.deps.jobWork.outcomes(tenant.id, job.id, { limit: 1000 })).items;
    expect(outcomes.map((o) => o.userId)).toEqual(userIds);
    expect(outcomes.every((o) => o.outcome === 'done')).toBe(true);
    for (const id of userIds) {
      const user = await watcher.deps.users.get(tenant.id, id);
      expect(user?.status).toBe('inactive');
      const history = await watcher.api.users.history(tenant.id, id, { limit: 10 });
      expect(history.items.filter((e) => e.action === 'user.deactivated')).toHaveLength(1);
    }
  }, 90_000);
});

const statuses = async (ids: readonly string[]) => {
  const { deps } = workerProcess(tables);
  return Promise.all(ids.map(async (id) => (await deps.users.get(tenant.id, id))?.status));
};

describe('a retired tenant', () => {
  it('has its job cancelled by the worker, none of its users acted on', async () => {
    const worker = workerProcess(tables);
    const before = await statuses(userIds);
    const job = await startBulkJob(worker.api, creator, { action: 'archive', userIds });
    await worker.run(tenant, async () => ({ ...tenant, status: 'retired' }));

    expect(await worker.deps.jobWork.get(tenant.id, job.id)).toMatchObject({
      state: 'cancelled',
      done: 0,
      failed: 0,
      total: USERS,
    });
    expect((await worker.deps.jobWork.outcomes(tenant.id, job.id, { limit: 1000 })).items).toEqual([]);
    expect(await statuses(userIds)).toEqual(before);
  });

  it('retired midway: the chunk under way finishes, nothing after it starts', async () => {
    const worker = workerProcess(tables);
    const before = await statuses(userIds);
    const job = await startBulkJob(worker.api, creator, { action: 'archive', userIds });
    // Active when the job is first read and when its first chunk loads; retired from the second chunk on.
    let reads = 0;
    await worker.run(tenant, async () => ({ ...tenant, status: ++reads <= 2 ? 'active' : 'retired' }));

    const ended = await worker.deps.jobWork.get(tenant.id, job.id);
    expect(ended).toMatchObject({
      state: 'cancelled',
      done: CHUNK_SIZE,
      failed: 0,
      total: USERS,
    });
    const outcomes = (await worker.deps.jobWork.outcomes(tenant.id, job.id, { limit: 1000 })).items;
    expect(outcomes.map((o) => o.userId)).toEqual(userIds.slice(0, CHUNK_SIZE));
    const after = await statuses(userIds);
    expect(after.slice(0, CHUNK_SIZE).every((s) => s === 'archived')).toBe(true);
    expect(after.slice(CHUNK_SIZE)).toEqual(before.slice(CHUNK_SIZE));
  });
});

describe('a job cancelled while a chunk is under way', () => {
  // The chunk's first items are started (held at their first read of a user) when the cancel lands: those
  // finish, the chunk's others never start, and the job counts exactly the outcomes it has. Deterministic: the
  // items are held until the worker has read the active list again after the cancel.
  it('counts what its started items did, and nothing else runs', async () => {
    const worker = workerProcess(tables);
    const ids = userIds.slice(CHUNK_SIZE);
    const before = await statuses(ids);
    const job = await startBulkJob(worker.api, creator, { action: 'archive', userIds: ids });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const users = worker.deps.users;
    worker.deps.users = Object.assign(Object.create(users) as typeof users, {
      get: async (tenantId: string, id: string) => {
        if (ids.includes(id)) {
          started += 1;
          await gate;
        }
        return users.get(tenantId, id);
      },
    });
    const running = worker.run(tenant);
    while (started === 0) await new Promise((r) => setTimeout(r, 10));
    await worker.deps.jobWork.cancel(tenant.id, job.id, new Date().toISOString());
    // Longer than the worker's refreshMs: it has seen the cancel before any started item goes on.
    await new Promise((r) => setTimeout(r, 500));
    release();
    await running;

    const ended = await worker.deps.jobWork.get(tenant.id, job.id);
    const outcomes = (await worker.deps.jobWork.outcomes(tenant.id, job.id, { limit: 1000 })).items;
    expect(ended?.state).toBe('cancelled');
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.length).toBeLessThan(CHUNK_SIZE);
    expect((ended?.done ?? 0) + (ended?.failed ?? 0)).toBe(outcomes.length);
    const archived = new Set(outcomes.filter((o) => o.outcome === 'done').map((o) => o.userId));
    const after = await statuses(ids);
    ids.forEach((id, i) => {
      expect(after[i]).toBe(archived.has(id) ? 'archived' : before[i]);
    });
  });
});

describe("another tenant's small job, while a big one waits for Cognito", () => {
  // The pace's clock is the test's: a moment passes only when the test says so, once every call it expects is
  // waiting. So nothing depends on timing: the small job's items get lanes though the big job's hold all of
  // theirs, and each moment goes to a small job's call while big ones wait too.
  it("starts at once, and its calls take the pace's moments ahead of the big job's", async () => {
    const worker = workerProcess(tables);
    const other = (await new DynamoTenantRegistry({
      client: localDynamoClient(env.endpoints.dynamodb),
      tableName: env.functionEnvironment.TENANTS_TABLE as string,
      cacheSeconds: 0,
    }).byId(globex.id)) as Tenant;
    const otherCreator = await creatorIn(worker.deps, other);
    const big = await invitedUsers(worker.deps, tenant, 12);
    const small = await invitedUsers(worker.deps, other, 4);
    const isSmall = new Set(small.map((u) => u.sub));

    // The test's clock: it moves by an interval when the test ticks, and runs freely once the test is done.
    const interval = 100;
    let fake = Date.now();
    let freedAt: number | undefined;
    const sleepers: { until: number; wake: () => void }[] = [];
    const clock = {
      now: () => (freedAt === undefined ? fake : fake + Date.now() - freedAt),
      sleep: (ms: number) =>
        freedAt === undefined
          ? new Promise<void>((wake) => void sleepers.push({ until: fake + ms, wake }))
          : new Promise<void>((wake) => setTimeout(wake, ms)),
    };
    const wake = (all: boolean) => {
      for (const sleeper of sleepers.splice(0)) {
        if (all || sleeper.until <= fake) sleeper.wake();
        else sleepers.push(sleeper);
      }
    };
    const pace = new SharedCognitoPace({
      client: worker.dynamo,
      tableName: tables.JOBS_TABLE as string,
      budget: { ...DEFAULT_COGNITO_BUDGET, UserUpdate: 1000 / interval },
      clock,
    });
    shareCognitoPace(worker.cognito, pace);
    // Which login each call is for, when it asks the pace and when the pace lets it go.
    const asked: string[] = [];
    const granted: string[] = [];
    const record = (into: string[]) => (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
      into.push((args as { input: { Username: string } }).input.Username);
      return next(args);
    };
    for (const [name, into, relation] of [
      ['asked', asked, 'before'],
      ['granted', granted, 'after'],
    ] as const) {
      worker.cognito.middlewareStack.addRelativeTo(record(into) as never, {
        name,
        relation,
        toMiddleware: 'sharedCognitoPace',
      });
    }
    const of = (list: string[], small: boolean) => list.filter((sub) => isSmall.has(sub) === small).length;
    const waiting = (small: boolean) => of(asked, small) - of(granted, small);
    const until = async (what: string, done: () => boolean | Promise<boolean>) => {
      for (
        const deadline = Date.now() + 20_000;
        !(await done());
        await new Promise((r) => setTimeout(r, 5))
      ) {
        if (Date.now() > deadline) throw new Error(`never: ${what}`);
      }
    };

    const bigJob = await startBulkJob(worker.api, creator, {
      action: 'deactivate',
      userIds: big.map((u) => u.id),
    });
    const running = worker.run(tenant, async (id) => [tenant, other].find((t) => t.id === id), {
      prioritise: withPacePriority,
    });
    // The big job's four lanes all wait for the pace (its first call went at once: the pace was idle).
    await until('the big job fills its lanes', () => waiting(false) === 4);

    const smallJob = await startBulkJob(worker.api, otherCreator, {
      action: 'deactivate',
      userIds: small.map((u) => u.id),
    });
    // Every small item asks for its first call though no big item has moved: its size class has lanes of its own.
    await until("the small job's items start", () => waiting(true) === small.length);
    const bigGranted = of(granted, false);
    for (let given = 0; given < 2 * small.length; given++) {
      // Each small item with a call left waits with it (its second once its first is answered), and so does the
      // big job; a moment passes, and is given.
      const withCallsLeft = small.filter((u) => granted.filter((sub) => sub === u.sub).length < 2).length;
      await until('the small calls left wait', () => waiting(true) === withCallsLeft);
      expect(waiting(false)).toBeGreaterThan(0);
      fake += interval;
      wake(false);
      await until('the moment is given', () => granted.length > bigGranted + given);
    }
    // The small job's eight calls took the eight moments; the big job's, waiting all along, none of them.
    expect(of(granted, false)).toBe(bigGranted);
    expect(of(granted, true)).toBe(2 * small.length);
    await until('the small job completes', async () => {
      return (await worker.deps.jobWork.get(other.id, smallJob.id))?.state === 'completed';
    });
    expect(await worker.deps.jobWork.get(other.id, smallJob.id)).toMatchObject({
      done: small.length,
      failed: 0,
    });

    // The big job is cancelled; its items under way finish on a clock that now runs.
    await worker.deps.jobWork.cancel(tenant.id, bigJob.id, new Date().toISOString());
    freedAt = Date.now();
    wake(true);
    await running;
  }, 60_000);
});
