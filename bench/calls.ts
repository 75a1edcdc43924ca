// Runs every operation's function in-process against the offline backend, as the call-count test does, and
// measures what the test does not: DynamoDB capacity, mails sent, and how long the function ran.
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SCIM_ROUTES } from '#api/scim-routes.ts';
import type { Environment } from '#local/runtime.ts';
import { type AwsCall, countActions, recordCalls, sdkClients } from '#test/support/aws-calls.ts';
import { anEvent, context } from '#test/support/events.ts';
import {
  claimsOf,
  entryOf,
  type FunctionTarget,
  handlerOf,
  invoke,
  OPERATIONS,
  operationContext,
  prepareOperation,
  runRoute,
} from '#test/support/operations.ts';
import { median } from './bundles.ts';
import { type CallCapacity, meterCapacity } from './capacity.ts';
import type { RecordedCall } from './http-overhead.ts';

export interface OperationRun {
  name: string;
  /** The function it runs: a route, the SCIM function, a trigger, or a scheduled job. */
  functionId: string;
  /** Its handler module, relative to the repository root (none for the job): what the HTTP-overhead bench imports. */
  entry?: string;
  kind: 'route' | 'trigger' | 'job';
  counts: Record<string, number>;
  /** False when the repetitions did not all make the same calls. */
  steady: boolean;
  rru: number;
  wru: number;
  /** What DynamoDB Local reported for the same calls (read and write units together). */
  reportedUnits: number;
  /** Mails the local SES received meanwhile: each an SES message in AWS. */
  mails: number;
  /** Of those, the ones Cognito sent: each also a CustomMessage invocation, which words it. */
  cognitoMails: number;
  /** Median wall time of the handler (ms). */
  ms: number;
  note?: string;
  /**
   * The last run's event, its AWS calls' answers, and what a cold instance would have read besides at that
   * moment: what the HTTP-overhead bench replays with mocks.
   */
  replay?: { event: unknown; answers: RecordedCall[]; coldReads: RecordedCall[] };
}

interface Run {
  calls: AwsCall[];
  /** Only on the metered run. */
  capacity: CallCapacity[] | undefined;
  ms: number;
  mails: number;
}

export interface CallsMeasurement {
  operations: OperationRun[];
  /** Median wall time of one GetItem of a profile against the same DynamoDB Local (ms): the duration baseline. */
  getItemMs: number;
  /** Every tenant's token-signing keys, by JWKS URL, for the HTTP-overhead bench's token checks. */
  jwks: Record<string, unknown>;
  /** An ID token of the first tenant's administrator, for the first-request timing. */
  adminToken: string;
}

export async function measureCalls(
  env: Environment,
  options: { repetitions: number },
): Promise<CallsMeasurement> {
  const { TABLES } = await import('#adapters/table-definitions.ts');
  // Imported now, once the backend has set the functions' environment (the clients read it).
  const wiring = await import('#adapters/wiring.ts');
  const recorder = recordCalls(sdkClients(wiring));
  const meter = meterCapacity(wiring.dynamo, {
    endpoint: env.endpoints.dynamodb,
    region: env.region,
    tables: Object.fromEntries(
      TABLES.map((t) => [env.tables[t.envVar] as string, t] as const).filter(([name]) => name),
    ),
  });
  const ctx = await operationContext(env);
  const mailCount = async () =>
    ((await (await fetch(`${env.mailboxUrl}/store`)).json()) as { emails: unknown[] }).emails.length;

  // A metered run counts capacity; the capacity meter reads each item a write touches before and after it,
  // so the durations come from the other, unmetered runs.
  const measure = async (run: () => Promise<unknown>, metered: boolean): Promise<Run> => {
    const mailsBefore = await mailCount();
    const started = performance.now();
    const { result: recorded, capacity } = metered
      ? await meter.during(() => recorder.during(run))
      : { result: await recorder.during(run), capacity: undefined };
    const ms = performance.now() - started;
    return { calls: recorded.calls, capacity, ms, mails: (await mailCount()) - mailsBefore };
  };
  const runsOf = async (run: (i: number) => Promise<() => Promise<unknown>>) => {
    const runs: Run[] = [];
    for (let i = 0; i <= options.repetitions; i++) runs.push(await measure(await run(i), i === 0));
    return runs;
  };

  const operations: OperationRun[] = [];
  const summarise = (
    name: string,
    functionId: string,
    kind: OperationRun['kind'],
    runs: Run[],
    replay?: { event: unknown; coldReads: RecordedCall[] },
  ): OperationRun => {
    const last = runs.at(-1) as Run;
    const counts = countActions(last.calls);
    const capacity = runs.find((r) => r.capacity)?.capacity ?? [];
    const total = (key: 'rru' | 'wru' | 'reported') => capacity.reduce((sum, c) => sum + c[key], 0);
    const failed = last.calls.filter((c) => c.error);
    return {
      name,
      functionId,
      kind,
      counts,
      steady: runs.every((r) => JSON.stringify(countActions(r.calls)) === JSON.stringify(counts)),
      rru: total('rru'),
      wru: total('wru'),
      reportedUnits: total('reported'),
      mails: last.mails,
      cognitoMails: Math.max(0, last.mails - sentBySes(last.calls)),
      ms: median(runs.filter((r) => !r.capacity).map((r) => r.ms)),
      ...(failed.length > 0 ? { note: `failed calls: ${failed.map((c) => c.action).join(', ')}` } : {}),
      ...(replay && failed.length === 0
        ? {
            replay: {
              ...replay,
              answers: last.calls.map((c) => ({ service: c.service, action: c.action, output: c.output })),
            },
          }
        : {}),
    };
  };

  // Nothing has run the API's functions in this process yet: their first request per tenant is a cold one,
  // reading what a warm instance keeps (the role catalogue). Those reads are made again before each operation,
  // so its replay answers them as they would have been answered then.
  const coldReads: AwsCall[] = [];
  for (const token of [ctx.admin, ctx.quietAdmin]) {
    const cold = await recorder.during(() => runRoute(ctx, 'getMe', { token }));
    const warm = await recorder.during(() => runRoute(ctx, 'getMe', { token }));
    const warmInputs = warm.calls.map((c) => JSON.stringify(c.input));
    coldReads.push(...cold.calls.filter((c) => !c.error && !warmInputs.includes(JSON.stringify(c.input))));
  }
  // The SCIM function keeps a registry of its own, and a SCIM token finds its tenant by id, not by issuer as
  // a user's token does: a cold instance reads that record too. A token of the documented shape
  // (`gscim.<tenant>.<token id>.<secret>`) whose id no record has reaches that read and is refused after it
  // (401), writing nothing; the read it makes again when warm (the token's record) is left out as above.
  const scim = await handlerOf({ scim: 'scimServiceProviderConfig' });
  for (const tenant of [ctx.tenant, ctx.quietTenant]) {
    const token = `gscim.${tenant.id}.${randomUUID()}.unknown`;
    const request = () =>
      scim(anEvent({ method: 'GET', path: SCIM_ROUTES.scimServiceProviderConfig.path, token }), context);
    const cold = await recorder.during(request);
    const warm = await recorder.during(request);
    const warmInputs = warm.calls.map((c) => JSON.stringify(c.input));
    coldReads.push(...cold.calls.filter((c) => !c.error && !warmInputs.includes(JSON.stringify(c.input))));
  }
  const readAgain = async (): Promise<RecordedCall[]> =>
    Promise.all(
      coldReads.map(async ({ service, action, input }) => {
        const again = { ...(input as Record<string, unknown>), ReturnConsumedCapacity: undefined };
        // The registry's record, read on a cold instance's first token (held for its cache's seconds after).
        if (service === 'registryClient' && action === 'GetItem') {
          const output = await wiring.registryClient.send(new GetItemCommand(again as never));
          return { service, action, input, output };
        }
        if (service !== 'dynamo' || (action !== 'Query' && action !== 'GetItem')) {
          throw new Error(`The bench cannot read ${service} ${action} again: teach bench/calls.ts`);
        }
        const output =
          action === 'Query'
            ? await wiring.dynamo.send(new QueryCommand(again as never))
            : await wiring.dynamo.send(new GetCommand(again as never));
        return { service, action, input, output };
      }),
    );

  // The duration baseline: one consistent GetItem of a profile, once the client is warm.
  const adminKey = { pk: ctx.tenant.id, sk: `USER#${claimsOf(ctx.admin)['custom:userId']}` };
  const getItem = () =>
    wiring.dynamo.send(
      new GetCommand({ TableName: env.tables.PROFILES_TABLE, Key: adminKey, ConsistentRead: true }),
    );
  for (let i = 0; i < 5; i++) await getItem();
  const getItemMs: number[] = [];
  for (let i = 0; i < 21; i++) {
    const started = performance.now();
    await getItem();
    getItemMs.push(performance.now() - started);
  }

  for (const op of OPERATIONS) {
    let event: unknown;
    let reads: RecordedCall[] = [];
    const runs = await runsOf(async () => {
      event = await prepareOperation(ctx, op);
      reads = await readAgain();
      return () => invoke(op, event);
    });
    const kind = 'trigger' in op.target ? 'trigger' : 'route';
    operations.push({
      ...summarise(op.name, idOf(op.target), kind, runs, { event, coldReads: reads }),
      entry: entryOf(op.target),
    });
  }

  // The reconciler reads every login and profile of every tenant: its calls grow with the tenants' size.
  const { handler: reconcile } = await import('#jobs/reconcile.ts');
  let reports: { tenant: string; logins: number; profiles: number }[] = [];
  const runs = await runsOf(async () => async () => {
    reports = await reconcile({});
  });
  const reconciled = summarise('reconcile', 'reconcile', 'job', runs);
  const sizes = reports.map((r) => `${r.tenant}: ${r.logins} logins, ${r.profiles} profiles`).join('; ');
  operations.push({ ...reconciled, note: [sizes, reconciled.note].filter(Boolean).join('; ') });

  const jwks: Record<string, unknown> = {};
  for (const tenant of env.tenants) {
    const url = `${tenant.issuer}/.well-known/jwks.json`;
    jwks[url] = await (await fetch(url)).json();
  }
  meter.stop();
  return { operations, getItemMs: median(getItemMs), jwks, adminToken: ctx.admin };
}

/** Mails the function sent itself: one per SES SendEmail, one per entry of a SendBulkEmail. */
function sentBySes(calls: AwsCall[]): number {
  let sent = 0;
  for (const call of calls) {
    if (call.error || !/^Send(Bulk)?Email$/.test(call.action)) continue;
    const entries = (call.input as { BulkEmailEntries?: unknown[] }).BulkEmailEntries;
    sent += entries ? entries.length : 1;
  }
  return sent;
}

// Every SCIM route is served by the one SCIM function (id 'scim', as bench/bundles.ts lists it), not one per route.
const idOf = (target: FunctionTarget) =>
  'route' in target ? target.route : 'scim' in target ? 'scim' : target.trigger;
