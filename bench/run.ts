// `npm run bench`: Gatehouse's performance budgets, measured offline in one run, each figure against a
// baseline measured in the same run. `-- --readme` also rewrites the figures in README.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES, type RouteId } from '#api/routes.ts';
import { DEFAULT_MEMORY_SIZE, PROJECT_ROOT } from '#lib/gatehouse-function.ts';
import { type Gatehouse, startGatehouse } from '#local/runtime.ts';
import { anEvent } from '#test/support/events.ts';
import { functionIds } from '#test/support/operations.ts';
import { HELD_OVER_BUDGET, IMPORT_OVER_REFERENCE, sizeBudget } from './budgets.ts';
import {
  type Bundle,
  buildBundles,
  type FirstRequest,
  type ImportTiming,
  lambdaFunctions,
  timeFirstRequests,
  timeImports,
} from './bundles.ts';
import { type CallsMeasurement, measureCalls } from './calls.ts';
import { type Cost, costPerThousand } from './cost.ts';
import type { OverheadInput, OverheadResult } from './http-overhead.ts';
import { PRICES, PRICES_AS_OF } from './prices.ts';
import { fixed, kb, ratio, table, usd } from './table.ts';

/** Fresh processes per route for its first request: each one a cold instance. */
const FIRST_REQUEST_RUNS = 3;
/** The whole bench stops by itself after this, whatever it is waiting for. */
const TIME_LIMIT_MS = 600_000;
/** The longest a function's environment allows: longer than section b runs, so no record expires in it. */
const BENCH_TENANT_CACHE_SECONDS = 300;

const args = process.argv.slice(2);
const writeReadme = args.includes('--readme');
const importRuns = Number(option('--runs') ?? 7);
const repetitions = Number(option('--repetitions') ?? 3);
const measureMs = Number(option('--measure-ms') ?? 400);

function option(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const started = performance.now();
const node = join(PROJECT_ROOT, 'node_modules/.bin/node');
const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
let gatehouse: Gatehouse | undefined;

async function cleanUp() {
  await gatehouse?.stop().catch((e: unknown) => console.error('bench: stopping the backend:', e));
  gatehouse = undefined;
  rmSync(work, { recursive: true, force: true });
}

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${TIME_LIMIT_MS / 1000} s; stopping`);
  void cleanUp().finally(() => process.exit(2));
}, TIME_LIMIT_MS);
watchdog.unref();

const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const progress = (message: string) => console.error(`[bench ${elapsed()}] ${message}`);

try {
  // ── b. AWS calls, capacity and duration per operation, against the offline backend ──────────────────
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  progress('starting the offline backend (DynamoDB Local, Cognito, SES) on free ports');
  // No job worker: its polling shares the functions' DynamoDB client, and would be counted with them. The
  // registry's records held for all of section b (as the call-count test holds them), not offline's 1 s nor the
  // deployed 30 s: an instance reads a tenant's record once per 30 s, and a record expiring after the warm-up
  // before a repetition (bench/calls.ts) would make that repetition read it. So every repetition runs as warm as
  // the others; what a cold instance, or an expired record, reads besides is measured apart (the cold reads).
  gatehouse = await startGatehouse({
    dataDir: join(work, 'data'),
    jobs: { worker: false },
    tenantCacheSeconds: BENCH_TENANT_CACHE_SECONDS,
  });
  const env = gatehouse.environment;
  progress(`running every operation ${repetitions + 1} times (one of them metered)`);
  const calls = await measureCalls(env, { repetitions });

  // ── a. Bundles, their import time, and each route's first request ─────────────────────────────────
  progress('bundling every function as CDK does');
  const functions = lambdaFunctions();
  const bundles = await buildBundles(functions, join(work, 'bundles'));
  progress(`importing each bundle in a fresh Node, ${importRuns} rounds`);
  const timing = timeImports(bundles, {
    node,
    dir: work,
    environment: env.functionEnvironment,
    runs: importRuns,
  });
  progress(`each route's first request after its import, ${FIRST_REQUEST_RUNS} fresh processes each`);
  const first = timeFirstRequests(
    bundles.filter((b) => b.kind === 'route' && b.id in ROUTES),
    {
      node,
      dir: work,
      environment: { ...env.functionEnvironment, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      runs: FIRST_REQUEST_RUNS,
      eventOf: (id) => refusedAfterAuthorising(id as RouteId, calls.adminToken),
    },
  );
  await gatehouse.stop();
  gatehouse = undefined;

  // ── c. The HTTP layer, warm, with AWS answered at once ────────────────────────────────────────────
  progress('measuring the HTTP layer against bare handlers');
  const overhead = measureOverhead(calls, env.functionEnvironment);

  const report = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.versions.node}; the bench ran ${elapsed()}.`,
    bundleSection(bundles, timing, first),
    callSection(calls),
    overheadSection(overhead),
    costSection(calls),
  ].join('\n\n');
  console.log(`\n${report}\n`);
  if (writeReadme) {
    replaceInReadme(report);
    progress('README.md: figures rewritten');
  }
  progress('done');
} catch (error) {
  console.error('bench failed:', error);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanUp();
}
// Clients keep sockets alive for a while; the bench is done.
process.exit();

/** A request of route `id` by the tenant's administrator that it refuses (400) once it has authorised it. */
function refusedAfterAuthorising(id: RouteId, token: string) {
  const route = ROUTES[id];
  const pathParameters = Object.fromEntries(
    [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name as string, 'bench']),
  );
  const path = route.path.replace(/\{(\w+)\}/g, 'bench');
  return anEvent({
    method: route.method,
    path,
    resource: route.path,
    pathParameters,
    query: { benchUnknown: '1' },
    token,
  });
}

// ── Sections ─────────────────────────────────────────────────────────────────────────────────────────────

function bundleSection(bundles: Bundle[], timing: ImportTiming, first: Record<string, FirstRequest>): string {
  const byId = new Map(bundles.map((b) => [b.id, b]));
  const references = bundles.filter((b) => b.kind === 'reference');
  const functions = bundles.filter((b) => b.kind !== 'reference');
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const ms = (b: Bundle) => timing.bundleMs[b.id] ?? 0;
  const referenceOf = (b: Bundle) => byId.get(b.reference as string) as Bundle;
  const budgetOf = (b: Bundle) => sizeBudget(b, referenceOf(b).bytes);
  const sizeOk = (b: Bundle) => b.bytes <= budgetOf(b).bytes;
  const importOk = (b: Bundle) => ms(b) <= IMPORT_OVER_REFERENCE * ms(referenceOf(b));
  const rows = [
    [
      'bare Node start (baseline)',
      'baseline',
      '',
      '',
      '',
      '',
      '',
      fixed(timing.bareMs),
      '',
      '',
      ratio(1),
      '',
    ],
    ...references.map((b) => [
      b.id,
      'reference',
      '',
      kb(b.bytes),
      '',
      '',
      '',
      fixed(ms(b)),
      '',
      '',
      ratio(ms(b) / timing.bareMs),
      '',
    ]),
    ...functions.map((b) => [
      b.id,
      b.kind,
      b.clients.join(', ') || '—',
      kb(b.bytes),
      `+${kb(b.bytes - referenceOf(b).bytes)}`,
      `${kb(budgetOf(b).bytes)} (${budgetOf(b).why})`,
      verdict(sizeOk(b)),
      fixed(ms(b)),
      ratio(ms(b) / ms(referenceOf(b))),
      verdict(importOk(b)),
      ratio(ms(b) / timing.bareMs),
      first[b.id] ? fixed(first[b.id]?.ms ?? 0) : '—',
    ]),
  ];
  const sizePass = functions.filter(sizeOk).length;
  const importPass = functions.filter(importOk).length;
  const parts = [
    '### a. Bundles and cold start',
    `Each function bundled as CDK bundles it (esbuild, minified, lib/gatehouse-function.ts \`bundlingFor\` its declared clients, stores and directory operations, credentials from the environment alone), then imported in a fresh \`node\` with its environment (median of ${timing.runs}). Its reference is a bundle of nothing but the SDK clients it uses (\`sdk: …\`, constructed as wiring.ts does, bundled the same way), built and timed in the same run: size and import time are shown against it, import time also against the same Node importing an empty module. "First request": the route's first request after the import, in a fresh process, against the emulators (the token verified, the caller's profile and role catalogue read, the reply; median of ${FIRST_REQUEST_RUNS}). Budgets (bench/budgets.ts): size ≤ reference + 100 KB, read-only routes under 400 KB, none over 470 KB; import ≤ ${IMPORT_OVER_REFERENCE}× the reference's.`,
    table(
      [
        'function',
        'kind',
        'clients',
        'KB',
        'over ref.',
        'size budget KB',
        'size',
        'import ms',
        '× ref.',
        `≤ ${IMPORT_OVER_REFERENCE}×`,
        '× bare',
        'first request ms',
      ],
      rows,
      'lllrrllrrlrr',
    ),
    `Budgets: size ${sizePass} of ${functions.length} PASS; import ≤ ${IMPORT_OVER_REFERENCE}× its reference ${importPass} of ${functions.length} PASS. The bundle test (test/infra/bundles.test.ts) holds every function to its size budget but those still over it, each to a tight allowance above it (bench/budgets.ts \`HELD_OVER_BUDGET\`: ${Object.entries(
      HELD_OVER_BUDGET,
    )
      .map(([id, held]) => `${id} +${held.kb} KB`)
      .join(', ')}).`,
  ];
  const over = functions.filter((b) => !sizeOk(b));
  parts.push(dependencySection(over.length > 0 ? over : functions, over.length > 0));
  return parts.join('\n\n');
}

/** Which packages the (over-budget) bundles are made of (esbuild metafile), largest first. */
function dependencySection(over: Bundle[], overBudget: boolean): string {
  const names = [...new Set(over.flatMap((b) => b.packages.map((p) => p.name)))];
  const rows = names
    .map((name) => {
      const found = over.flatMap((b) => b.packages.filter((p) => p.name === name));
      const bytes = found.map((p) => p.bytes);
      const largest = found.sort((a, b) => b.bytes - a.bytes)[0];
      return { name, min: Math.min(...bytes), max: Math.max(...bytes), count: found.length, largest };
    })
    .filter((r) => r.max >= 4 * 1024)
    .sort((a, b) => b.max - a.max);
  return [
    `${overBudget ? `Over budget: ${over.map((b) => b.id).join(', ')}. What they are made of` : 'What the functions are made of'} (packages of 4 KB or more; KB in the bundle, smallest–largest over those bundles):`,
    table(
      ['package', 'KB', 'in bundles', 'largest part'],
      rows.map((r) => [
        r.name,
        r.min === r.max ? kb(r.max) : `${kb(r.min)}–${kb(r.max)}`,
        `${r.count} of ${over.length}`,
        r.largest ? `${r.largest.largestPart.path}: ${kb(r.largest.largestPart.bytes)} KB` : '',
      ]),
      'lrrl',
    ),
  ].join('\n\n');
}

function callSection(calls: CallsMeasurement): string {
  const rows = calls.operations.map((op) => [
    op.name,
    Object.entries(op.counts)
      .map(([action, n]) => (n > 1 ? `${n}× ${action}` : action))
      .join(', ') || '—',
    fixed(op.rru, 1),
    fixed(op.wru, 0),
    fixed(op.reportedUnits, 1),
    String(op.mails),
    fixed(op.ms),
    ratio(op.ms / calls.getItemMs),
  ]);
  const measured = new Set(calls.operations.map((op) => op.name));
  const unmeasured = functionIds()
    .map((f) => f.id)
    .filter((id) => !measured.has(id));
  const notes = calls.operations
    .filter((op) => op.note || !op.steady)
    .map(
      (op) =>
        `${op.name}: ${[op.note, op.steady ? '' : 'calls differed between runs'].filter(Boolean).join('; ')}`,
    );
  return [
    '### b. AWS calls per operation',
    `Each operation's function run in-process against the offline emulators, as a warm instance, its calls counted by middleware on the SDK clients; duration the median of ${repetitions} runs, capacity from one more. RRU/WRU: DynamoDB request units by AWS's rules, from the sizes of the items each call touched (transactions 2×, index writes included); "Local R+W" is what DynamoDB Local itself reported (ReturnConsumedCapacity, added by the bench's middleware), for comparison only: it counts several items of one table in a transaction as one, and index writes inconsistently. Duration against one GetItem round trip to the same DynamoDB Local (${fixed(calls.getItemMs, 2)} ms); the emulators stand in for AWS's latencies.`,
    table(
      ['operation', 'AWS calls', 'RRU', 'WRU', 'Local R+W', 'mails', 'ms', '× GetItem'],
      rows,
      'llrrrrrr',
    ),
    ...(notes.length > 0 ? [notes.map((n) => `- ${n}`).join('\n')] : []),
    ...(unmeasured.length > 0
      ? [`Not measured: no operation in test/support/operations.ts yet for ${unmeasured.join(', ')}.`]
      : []),
  ].join('\n\n');
}

interface Overhead {
  results: OverheadResult[];
  error?: string;
}

/** One process per route operation, one after the other: each a fresh instance of that function alone. */
function measureOverhead(calls: CallsMeasurement, environment: Record<string, string>): Overhead {
  const results: OverheadResult[] = [];
  const errors: string[] = [];
  for (const op of calls.operations) {
    if (op.kind !== 'route' || !op.replay) continue;
    if (!op.entry) {
      errors.push(`${op.name}: no handler module for function ${op.functionId}`);
      continue;
    }
    const input: OverheadInput = {
      environment,
      jwks: calls.jwks,
      name: op.name,
      entry: op.entry,
      ...op.replay,
      measureMs,
    };
    const file = join(work, 'overhead.json');
    writeFileSync(file, JSON.stringify(input));
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'bench/http-overhead.ts'), file],
      { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
    );
    if (run.status === 0) results.push(JSON.parse(run.stdout) as OverheadResult);
    else
      errors.push(`${op.name}: ${firstErrorLine(run.stderr) ?? String(run.error ?? `exit ${run.status}`)}`);
  }
  return { results, ...(errors.length > 0 ? { error: errors.join('\n') } : {}) };
}

/**
 * The line of a crashed Node's stderr that says what went wrong: Node prints the throwing source line and a
 * caret first, the error's name and message next, then its stack, its own properties and Node's version.
 */
function firstErrorLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim());
  return lines.find((l) => /^[A-Z]\w*(\s\[\w+\])?: /.test(l)) ?? lines.find((l) => l.length > 0);
}

function overheadSection(overhead: Overhead): string {
  const rows = overhead.results.map((r) => [
    r.name,
    String(r.status),
    fixed(r.opsPerSecond, 0),
    fixed(1e6 / r.opsPerSecond, 0),
    fixed(r.bareOpsPerSecond, 0),
    ratio(r.bareOpsPerSecond / r.opsPerSecond),
    fixed(1e6 / r.opsPerSecond - 1e6 / r.bareOpsPerSecond, 0),
  ]);
  return [
    '### c. HTTP layer, warm, per request',
    `Each route operation's handler in a process of its own, warm, every AWS call answered at once by aws-sdk-client-mock with what the emulators answered in b: what is left is middy, header normalising, the token check, the authorisation, zod parsing, the use case and problem+json. Against a bare handler returning the same JSON in the same process (${measureMs} ms, after warming up).`,
    table(['operation', 'status', 'req/s', 'µs/req', 'bare req/s', '× bare', 'overhead µs'], rows, 'lrrrrrr'),
    ...(overhead.error ? [`Not measured:\n${overhead.error}`] : []),
  ].join('\n\n');
}

function costSection(calls: CallsMeasurement): string {
  const customMessage = calls.operations.find((op) => op.name === 'customMessage');
  const options = { memoryMb: DEFAULT_MEMORY_SIZE, customMessageMs: customMessage?.ms ?? 1 };
  const costs = calls.operations.map((op) => ({ op, cost: costPerThousand(op, options) }));
  const baseline = costs.find((c) => c.op.name === 'getMe')?.cost.total ?? 1;
  const rows = costs.map(({ op, cost }) => [
    op.name,
    usd(cost.lambda),
    usd(cost.apiGateway),
    usd(cost.dynamodb),
    usd(cost.mail),
    usd(cost.total),
    ratio(cost.total / baseline),
  ]);
  // What Cognito runs on every password sign-in: these three triggers, one after the other.
  const signIn = ['preAuthentication', 'preTokenGeneration', 'postAuthentication'].map(
    (name) => costs.find((c) => c.op.name === name)?.cost,
  );
  if (signIn.every(Boolean)) {
    const part = (key: keyof Cost) => signIn.reduce((sum, c) => sum + (c?.[key] ?? 0), 0);
    rows.push([
      'sign-in (preAuthentication + preTokenGeneration + postAuthentication)',
      usd(part('lambda')),
      usd(part('apiGateway')),
      usd(part('dynamodb')),
      usd(part('mail')),
      usd(part('total')),
      ratio(part('total') / baseline),
    ]);
  }
  const { cognito } = PRICES;
  return [
    '### d. Cost per 1,000 operations (USD, us-east-1)',
    `From b's counts: Lambda on arm64 at ${DEFAULT_MEMORY_SIZE} MB for the measured duration (rounded up to the ms) plus the request; API Gateway REST per request (routes only; triggers and jobs are invoked by Cognito and EventBridge); DynamoDB on demand per RRU/WRU; per mail, SES, and for each mail Cognito sends, the CustomMessage invocation that words it. Against \`getMe\`, the cheapest authorised request. Prices: ${PRICES_AS_OF} (bench/prices.ts).`,
    table(['operation', 'Lambda', 'API Gateway', 'DynamoDB', 'mail', 'total', '× getMe'], rows, 'lrrrrrr'),
    `Cognito is not billed per call: each tenant pool bills its monthly active users (anyone who signs in, refreshes a token or is changed in the month), $${cognito.essentialsPerMau} per MAU on Essentials beyond ${cognito.essentialsFreeMau.toLocaleString('en')} free per account, $${cognito.plusPerMau} on Plus. A user counts once in a month whatever happens to them: signing in or refreshing a token (which runs preTokenGeneration again), or an administrator creating them, setting their password or changing their attributes through Gatehouse.`,
  ].join('\n\n');
}

function replaceInReadme(report: string) {
  const file = join(PROJECT_ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${begin} … ${end} markers`);
  const section = report.replaceAll(/^### /gm, '#### ');
  writeFileSync(file, `${readme.slice(0, from + begin.length)}\n\n${section}\n\n${readme.slice(to)}`);
}
