// `npm run bench:jobs` (part of `npm run bench`): bulk jobs at Cognito's pace, offline.
// 1. Sustained Cognito calls a second during a 2,000-user job against a Cognito that throttles above a set quota
//    (the worker's budget set to that quota): the share of the quota used, and throttling errors reaching a caller.
// 2. Fairness: a 10-user job of another tenant, its completion time (from asking to the finish the worker
//    recorded; the median of 3) while the 2,000-user job runs ÷ alone. Both meet the same pace: it saves up no burst, so
//    alone the job runs at the budget's rate, not on a second's calls at once.
// 3. An import of 10,000 rows: the dry run's validation time, and the job's throughput over a measured window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TooManyRequestsException } from '@aws-sdk/client-cognito-identity-provider';
import { type Gatehouse, startGatehouse } from '#local/runtime.ts';
import { allOutcomes, type JobBody, jobEnded, peopleCsv } from '#test/support/jobs.ts';
import { adminToken, api } from '#test/support/offline.ts';
import { fixed, ratio, table } from './table.ts';

/** The account's quota the offline Cognito enforces (AdminCreateUser: UserCreation), and the worker's budget. */
const QUOTA = Number(process.env.BENCH_QUOTA ?? 20);
const BIG_JOB = 2000;
const SMALL_JOB = 10;
/** Small jobs timed alone, and again beside the big job, one after another: the median of each is compared. */
const ROUNDS = 3;
const IMPORT_ROWS = 10_000;
const IMPORT_WINDOW_MS = 30_000;

const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-jobs-'));
let gatehouse: Gatehouse | undefined;
const started = performance.now();
const progress = (message: string) =>
  console.error(`[bench:jobs ${((performance.now() - started) / 1000).toFixed(0)} s] ${message}`);

try {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  progress(`starting the offline backend; the worker's budget: ${QUOTA} UserCreation calls a second`);
  gatehouse = await startGatehouse({
    dataDir: join(work, 'data'),
    jobs: { budget: { UserCreation: QUOTA }, everyMs: 200 },
  });
  const env = gatehouse.environment;
  const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];
  const acmeToken = await adminToken(env, acme);
  const globexToken = await adminToken(env, globex);

  // The account's quota, as Cognito enforces it (a token bucket: QUOTA a second, QUOTA at most held), on the
  // worker's client, closest to the wire; above it, TooManyRequestsException, which the SDK retries.
  const worker = (await import('#jobs/job-worker.ts')) as typeof import('#jobs/job-worker.ts');
  let tokens = QUOTA;
  let refilled = performance.now();
  let throttled = 0;
  worker.cognito.middlewareStack.addRelativeTo(
    ((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      const now = performance.now();
      tokens = Math.min(QUOTA, tokens + ((now - refilled) * QUOTA) / 1000);
      refilled = now;
      if (tokens < 1) {
        throttled += 1;
        throw new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
      }
      tokens -= 1;
      return next(args);
    }) as never,
    { name: 'accountQuota', relation: 'after', toMiddleware: 'sharedCognitoPace' },
  );
  const calls: number[] = [];
  worker.cognito.middlewareStack.addRelativeTo(
    ((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      const result = await next(args);
      calls.push(performance.now());
      return result;
    }) as never,
    { name: 'acceptedCalls', relation: 'after', toMiddleware: 'accountQuota' },
  );

  /**
   * Inactive users without a login (an import without activation: no Cognito call): the jobs activate them.
   * With a `tag`, it is their whole last name, so a search finds exactly them.
   */
  const inactiveUsers = async (token: string, count: number, tag?: string) => {
    const csv = tag
      ? [
          'firstName,lastName,email',
          ...Array.from({ length: count }, (_, i) => `Bo,${tag},bo.${tag}.${i}@example.com`),
        ].join('\n')
      : peopleCsv(count);
    const started = await api<JobBody>(env, 'POST', '/users/import', {
      token,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
    const job = await jobEnded(env, token, started.body.id, 600_000);
    return (await allOutcomes(env, token, job.id)).map((o) => o.userId as string);
  };
  /** An activation job: of the users named, or (a few users: the API would act on them at once) those a search finds. */
  const activation = async (token: string, users: string[] | { tag: string }) => {
    const t0 = performance.now();
    const job = await api<JobBody>(env, 'POST', '/users/bulk', {
      token,
      body: Array.isArray(users)
        ? { action: 'activate', userIds: users }
        : { action: 'activate', search: { q: users.tag } },
    });
    if (job.status !== 202) throw new Error(`bulk answered ${job.status}`);
    return { id: job.body.id, t0 };
  };
  /**
   * From asking for the job to the moment the worker recorded it finished (its `finishedAt`: the backend runs in
   * this process, on this clock), not to when a poll happened to see it.
   */
  const smallJobTime = async (tag: string) => {
    const asked = Date.now();
    const { id } = await activation(globexToken, { tag });
    const ended = await jobEnded(env, globexToken, id, 600_000);
    return { ms: Date.parse(ended.finishedAt as string) - asked, ended };
  };

  /** Each of `ROUNDS` small jobs, one after another (the machine is shared: one run alone proves little). */
  const smallJobTimes = async (tags: string[]) => {
    const times: Awaited<ReturnType<typeof smallJobTime>>[] = [];
    for (const tag of tags) times.push(await smallJobTime(tag));
    const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
    return { times, median: sorted[Math.floor(sorted.length / 2)] as number };
  };

  progress(`creating ${BIG_JOB} + ${2 * ROUNDS * SMALL_JOB} inactive users`);
  const big = await inactiveUsers(acmeToken, BIG_JOB);
  const tagsOf = (kind: string) => Array.from({ length: ROUNDS }, (_, i) => `${kind}${i}x${Date.now()}`);
  const aloneTags = tagsOf('Alone');
  const sharedTags = tagsOf('Shared');
  for (const tag of [...aloneTags, ...sharedTags]) await inactiveUsers(globexToken, SMALL_JOB, tag);

  progress(`${ROUNDS} ${SMALL_JOB}-user jobs alone`);
  const alone = await smallJobTimes(aloneTags);

  progress(`the ${BIG_JOB}-user job, at most ${QUOTA} Cognito calls a second`);
  calls.length = 0;
  throttled = 0;
  const bigJob = await activation(acmeToken, big);
  // Once the big job is well under way, the other tenant's small job.
  while (calls.length < QUOTA * 5) await new Promise((r) => setTimeout(r, 100));
  progress(`${ROUNDS} ${SMALL_JOB}-user jobs of another tenant, while the big one runs`);
  const shared = await smallJobTimes(sharedTags);
  const bigEnded = await jobEnded(env, acmeToken, bigJob.id, 900_000);
  const bigOutcomes = await allOutcomes(env, acmeToken, bigJob.id);
  const throttlingFailures = bigOutcomes.filter((o) => o.outcome === 'failed').length;
  const first = calls[0] as number;
  const last = calls.at(-1) as number;
  const sustained = (calls.length - 1) / ((last - first) / 1000);

  progress(`an import of ${IMPORT_ROWS} rows: the dry run`);
  const csv = peopleCsv(IMPORT_ROWS);
  const v0 = performance.now();
  const dry = await api<{ valid: number }>(env, 'POST', '/users/import?dryRun=true', {
    token: acmeToken,
    rawBody: csv,
    headers: { 'content-type': 'text/csv' },
  });
  const validationMs = performance.now() - v0;
  progress(`the import job, measured for ${IMPORT_WINDOW_MS / 1000} s`);
  const i0 = performance.now();
  const imported = await api<JobBody>(env, 'POST', '/users/import', {
    token: acmeToken,
    rawBody: csv,
    headers: { 'content-type': 'text/csv' },
  });
  const acceptMs = performance.now() - i0;
  let importJob = imported.body;
  while (performance.now() - i0 < IMPORT_WINDOW_MS && importJob.state !== 'completed') {
    await new Promise((r) => setTimeout(r, 500));
    importJob = (await api<JobBody>(env, 'GET', `/jobs/${importJob.id}`, { token: acmeToken })).body;
  }
  const windowS = (performance.now() - i0) / 1000;
  const importRate = (importJob.done + importJob.failed) / windowS;
  if (importJob.state !== 'completed') {
    await api(env, 'DELETE', `/jobs/${importJob.id}`, { token: acmeToken });
  }

  const fairness = shared.median / alone.median;
  const seconds = (t: { times: { ms: number }[] }) => t.times.map((x) => fixed(x.ms / 1000, 2)).join(', ');
  console.log(`\n### Jobs (offline; quota ${QUOTA} calls/s; ${new Date().toISOString().slice(0, 10)})\n`);
  console.log(
    table(
      ['measure', 'figure', 'budget', 'met'],
      [
        [
          `sustained Cognito calls/s, ${BIG_JOB}-user job`,
          `${fixed(sustained)} (${fixed((100 * sustained) / QUOTA, 0)} % of ${QUOTA})`,
          '≥ 90 %',
          sustained >= 0.9 * QUOTA ? 'yes' : 'no',
        ],
        [
          'throttled attempts (retried) / throttling errors reaching a caller',
          `${throttled} / ${throttlingFailures}`,
          '0 reaching a caller',
          throttlingFailures === 0 && bigEnded.done === BIG_JOB ? 'yes' : 'no',
        ],
        [
          `${SMALL_JOB}-user job of another tenant: alone / during the big job (median of ${ROUNDS})`,
          `${fixed(alone.median / 1000, 2)} s / ${fixed(shared.median / 1000, 2)} s = ${ratio(fairness)} (${seconds(alone)} / ${seconds(shared)})`,
          '≤ 2×',
          fairness <= 2 ? 'yes' : 'no',
        ],
        [
          `import of ${IMPORT_ROWS} rows: dry-run validation`,
          `${fixed(validationMs / 1000, 2)} s (${dry.body.valid} valid)`,
          '',
          '',
        ],
        [`import of ${IMPORT_ROWS} rows: job accepted (202)`, `${fixed(acceptMs / 1000, 2)} s`, '', ''],
        [
          'import job throughput (rows created/s)',
          `${fixed(importRate)} (${importJob.done} in ${fixed(windowS, 0)} s${importJob.state === 'completed' ? ', done' : ', then cancelled'})`,
          '',
          '',
        ],
      ],
      'lllr',
    ),
  );
  if ([...alone.times, ...shared.times].some((t) => t.ended.done !== SMALL_JOB)) {
    throw new Error('a small job did not complete every user');
  }
} finally {
  await gatehouse?.stop().catch((e: unknown) => console.error('bench:jobs: stopping the backend:', e));
  rmSync(work, { recursive: true, force: true });
}
