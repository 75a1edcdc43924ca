// Test helpers for jobs, as a client would use them: wait for a job to end, read every outcome, write a CSV.
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoTenantRegistry } from '#adapters/dynamo-tenant-registry.ts';
import type { TableNames } from '#adapters/environment.ts';
import { createDeps } from '#adapters/wiring.ts';
import { ROUTES, storesOf } from '#api/routes.ts';
import { localDynamoClient } from '#local/dynamodb.ts';
import type { Environment } from '#local/runtime.ts';
import { systemCaller } from '#services/changes.ts';
import { createUser } from '#services/create-user.ts';
import type { Tenant } from '#services/ports.ts';
import { api, newProfile } from './offline.ts';

export interface JobBody {
  id: string;
  action: string;
  state: 'queued' | 'running' | 'completed' | 'cancelled';
  total: number;
  done: number;
  failed: number;
  left: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface OutcomeBody {
  item: number;
  userId?: string;
  outcome: 'done' | 'failed';
  problem?: { status: number; title: string; detail?: string; errors?: { field: string; message: string }[] };
}

/** Polls the job until it has ended (completed or cancelled). */
export async function jobEnded(env: Environment, token: string, jobId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await api<JobBody>(env, 'GET', `/jobs/${jobId}`, { token });
    if (read.status !== 200) throw new Error(`GET /jobs/${jobId} answered ${read.status}`);
    if (read.body.state === 'completed' || read.body.state === 'cancelled') return read.body;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} still ${read.body.state}: ${JSON.stringify(read.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every outcome of a job, page by page. */
export async function allOutcomes(env: Environment, token: string, jobId: string): Promise<OutcomeBody[]> {
  const outcomes: OutcomeBody[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: OutcomeBody[]; next?: string }>(
      env,
      'GET',
      `/jobs/${jobId}/results?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    if (page.status !== 200) throw new Error(`results answered ${page.status}`);
    outcomes.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return outcomes;
}

/** A CSV of `count` new people (first, last name and a unique email), with a tag in their last names. */
export function peopleCsv(count: number, tag = randomUUID().slice(0, 8)): string {
  const rows = Array.from({ length: count }, (_, i) => `Ada,Import-${tag}-${i},ada.${tag}.${i}@example.com`);
  return ['firstName,lastName,email', ...rows].join('\r\n');
}

/** Imports a CSV as a job and waits for it: the created users' ids, in row order. */
export async function importedUsers(
  env: Environment,
  token: string,
  csv: string,
  options: { activate?: boolean } = {},
): Promise<string[]> {
  const started = await api<JobBody>(
    env,
    'POST',
    `/users/import${options.activate ? '?activate=true' : ''}`,
    {
      token,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    },
  );
  if (started.status !== 202)
    throw new Error(`import answered ${started.status}: ${JSON.stringify(started.body)}`);
  const job = await jobEnded(env, token, started.body.id, 600_000);
  if (job.failed > 0) throw new Error(`import had ${job.failed} failures`);
  const outcomes = await allOutcomes(env, token, job.id);
  return outcomes.map((o) => o.userId as string);
}

/**
 * `count` invited users of the tenant, made by the create-and-activate use case itself on the offline backend's
 * stores (profile, history entry, login: as POST /users?activate=true makes them), 25 at a time, except that no
 * welcome mail is sent: the start of a test of a big job, without its thousand mails and HTTP round trips.
 */
export async function seededInvitedUsers(
  env: Environment,
  tenantId: string,
  count: number,
): Promise<string[]> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const tables = env.functionEnvironment as Record<string, string>;
  const dynamo = DynamoDBDocumentClient.from(localDynamoClient(env.endpoints.dynamodb), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const cognito = new CognitoIdentityProviderClient({
    endpoint: env.endpoints.cognito,
    region: env.region,
    credentials,
  });
  // The ports POST /users is built with (its declared clients, stores and directory operations), on the emulators'
  // clients, and the silent login an SSO user's first sign-in creates.
  const route = {
    clients: ROUTES.createUser.clients,
    stores: storesOf(ROUTES.createUser),
    directory: [...(ROUTES.createUser.directory ?? []), 'createSilentLogin' as const],
  };
  const built = createDeps(tables as unknown as TableNames, route, { dynamo, cognito });
  // The login as activation makes it, without Cognito's welcome mail (as an SSO user's).
  const deps = {
    ...built,
    // Over the built directory, not a copy of it: an undeclared operation still throws naming itself.
    directory: Object.assign(Object.create(built.directory), {
      createLogin: built.directory.createSilentLogin,
    }),
  };
  const registry = new DynamoTenantRegistry({
    client: localDynamoClient(env.endpoints.dynamodb),
    tableName: tables.TENANTS_TABLE as string,
    cacheSeconds: 0,
  });
  const tenant = (await registry.byId(tenantId)) as Tenant;
  const system = systemCaller(tenant, { id: 'test-seed', name: 'Test seed' }, `seed-${randomUUID()}`);
  const ids: string[] = [];
  for (let i = 0; i < count; i += 25) {
    const made = await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, () =>
        createUser(deps, system, { ...newProfile(), roles: [], userType: 'internal' }, true),
      ),
    );
    ids.push(...made.map((u) => u.id));
  }
  return ids;
}
