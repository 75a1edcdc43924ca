// `npm run bench:tenants` (part of `npm run bench`): what a deployment's size in tenants costs. Synth time and
// the largest templates for 10, 100 and 1,000 tenants (with cdk-nag, and CloudFormation's and Lambda's limits
// checked); a function's cold start with 2 tenants registered against 1,000; registry reads on warm requests.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DynamoTenantRegistry } from '#adapters/dynamo-tenant-registry.ts';
import { TENANTS_TABLE } from '#adapters/table-definitions.ts';
import { generatedTenants, loadTenantsConfig, registryRecord } from '#config/tenants.ts';
import { buildGatehouse } from '#lib/gatehouse-app.ts';
import { NODE_OPTIONS, PROJECT_ROOT } from '#lib/gatehouse-function.ts';
import {
  CLOUDFORMATION_LIMITS,
  environmentBytes,
  LAMBDA_ENVIRONMENT_LIMIT,
  synthesisedTemplate,
  type TemplateFigures,
  templateFigures,
} from '#lib/limits.ts';
import { type Gatehouse, startGatehouse } from '#local/runtime.ts';
import { anEvent } from '#test/support/events.ts';
import { adminToken } from '#test/support/offline.ts';
import { buildBundles, lambdaFunctions, median } from './bundles.ts';
import { fixed, kb, ratio, table } from './table.ts';

const COLD_START_BUDGET = 1.2;
/**
 * A statement of a function's resource policy takes about 0.4 KB: 40 of them stay well inside Lambda's 20 KB. The
 * count must also not move with the tenants (it is the same at every size).
 */
const MAX_POLICY_STATEMENTS = 40;
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const counts = (option('--counts') ?? '10,100,1000').split(',').map(Number);
const runs = Number(option('--runs') ?? 7);
const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tenants-'));
const node = join(PROJECT_ROOT, 'node_modules/.bin/node');
const started = performance.now();
const progress = (m: string) =>
  console.error(`[bench:tenants ${((performance.now() - started) / 1000).toFixed(0)} s] ${m}`);
let gatehouse: Gatehouse | undefined;
const failures: string[] = [];

try {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const requests = await requestSection();
  const synth = synthSection();
  console.log(
    `\nMeasured ${new Date().toISOString().slice(0, 10)} on ${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.versions.node}.\n\n${synth}\n\n${requests}\n`,
  );
  if (failures.length > 0) {
    console.error(`FAILED: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error('bench:tenants failed:', error);
  process.exitCode = 1;
} finally {
  await gatehouse?.stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit();

/** Synth of the whole app per tenant count: build, cdk-nag, synth (bundling left out: it does not vary). */
function synthSection(): string {
  const context = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: object })
    .context;
  const rows: string[][] = [];
  let baseline: number | undefined;
  let statementsAt10: number | undefined;
  for (const count of counts) {
    progress(`synthesising ${count} tenants with cdk-nag`);
    const t0 = performance.now();
    const app = new App({
      context: { ...context, 'aws:cdk:bundling-stacks': [] },
      outdir: join(work, `cdk-${count}`),
    });
    const built = buildGatehouse(app, { region: 'us-east-1', tenants: generatedTenants(count) });
    const findings = new AwsSolutionsChecks().validateScope(app).violations.length;
    app.synth();
    const seconds = (performance.now() - t0) / 1000;
    baseline ??= seconds;

    // Every stack of the deployment: the console's files stack lists the tenants, so it grows with them.
    const stacks: Stack[] = [
      built.console,
      built.stateful,
      built.stateless,
      ...built.tenants.values(),
      built.consoleFiles,
    ];
    const figures = new Map(stacks.map((s) => [s, templateFigures(s)]));
    const largest = (of: Stack[]) =>
      of
        .map((s) => [s, figures.get(s) as TemplateFigures] as const)
        .sort((a, b) => b[1].bytes - a[1].bytes)[0] as readonly [Stack, TemplateFigures];
    const [bigStack, big] = largest(stacks);
    const [, tenant] = largest([...built.tenants.values()]);
    const within = [...figures.values()].every(
      (f) =>
        f.resources <= CLOUDFORMATION_LIMITS.resources &&
        f.bytes <= CLOUDFORMATION_LIMITS.bytes &&
        f.outputs <= CLOUDFORMATION_LIMITS.outputs &&
        f.parameters <= CLOUDFORMATION_LIMITS.parameters,
    );
    const resources = stacks.flatMap((s) =>
      Object.values(synthesisedTemplate(s).Resources ?? {}).map(
        (r) => r as { Type: string; Properties: Record<string, unknown> },
      ),
    );
    const envBytes = Math.max(
      ...resources
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) =>
          environmentBytes(
            (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
              {},
          ),
        ),
    );
    const lambdaPermissions = resources.filter((r) => r.Type === 'AWS::Lambda::Permission');
    const permissions = lambdaPermissions.filter(
      (r) => r.Properties.Principal === 'cognito-idp.amazonaws.com',
    ).length;
    // A function's resource policy holds one statement per permission naming it: the most any function has.
    const perFunction = new Map<string, number>();
    for (const r of lambdaPermissions) {
      const target = JSON.stringify(r.Properties.FunctionName);
      perFunction.set(target, (perFunction.get(target) ?? 0) + 1);
    }
    const statements = Math.max(0, ...perFunction.values());
    statementsAt10 ??= statements;
    if (statements !== statementsAt10 || statements > MAX_POLICY_STATEMENTS) {
      failures.push(`${count} tenants: a function's resource policy holds ${statements} statements`);
    }
    if (findings > 0) failures.push(`${count} tenants: ${findings} cdk-nag findings`);
    if (!within) failures.push(`${count} tenants: a template beyond CloudFormation's limits`);
    if (envBytes > LAMBDA_ENVIRONMENT_LIMIT) failures.push(`${count} tenants: environment ${envBytes} B`);
    rows.push([
      String(count),
      String(stacks.length),
      fixed(seconds),
      ratio(seconds / baseline),
      `${bigStack.stackName}: ${big.resources} res, ${kb(big.bytes)} KB`,
      `${tenant.resources} res, ${kb(tenant.bytes)} KB, ${tenant.outputs} outputs`,
      String(envBytes),
      String(permissions),
      String(statements),
      findings === 0 && within ? 'PASS' : 'FAIL',
    ]);
  }
  return [
    '#### Synth per deployment size (whole app, cdk-nag included, bundling excluded)',
    '',
    table(
      [
        'tenants',
        'stacks',
        'synth s',
        'vs 10',
        'largest template',
        'each tenant stack',
        'max env B',
        'Cognito invoke permissions',
        'most statements in one resource policy',
        'limits + nag',
      ],
      rows,
      'rrrrllrrrl',
    ),
  ].join('\n');
}

/** Cold start (import + first authorised GET /me) with 2 and with 1,000 registered tenants; warm reads. */
async function requestSection(): Promise<string> {
  progress('starting the offline backend');
  gatehouse = await startGatehouse({ dataDir: join(work, 'data') });
  const env = gatehouse.environment;
  const [acme] = env.tenants;
  if (!acme) throw new Error('no tenant');
  const token = await adminToken(env, acme);

  // A second registry table, as a deployment of 1,000 tenants holds it: the same two, and 998 more.
  const dynamo = new DynamoDBClient({
    endpoint: env.endpoints.dynamodb,
    region: env.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const bigTable = `${env.tables[TENANTS_TABLE.envVar]}-1000`;
  await dynamo.send(
    new CreateTableCommand({
      TableName: bigTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  const big = new DynamoTenantRegistry({ client: dynamo, tableName: bigTable, cacheSeconds: 0 });
  progress('registering 1,000 tenants in a second registry table');
  // The configured two, as the offline runtime registered them, then 998 generated ones.
  const configured = loadTenantsConfig().tenants;
  for (const tenant of env.tenants) {
    const config = configured.find((c) => c.id === tenant.id);
    if (!config) throw new Error(`${tenant.id} is not configured`);
    await big.put(registryRecord(config, tenant));
  }
  const generated = generatedTenants(998);
  // Twenty writes at a time: DynamoDB Local keeps up, and the bench spends seconds here rather than a minute.
  for (let i = 0; i < generated.length; i += 20) {
    await Promise.all(
      generated.slice(i, i + 20).map((config) => {
        const userPoolId = `${env.region}_${config.id.toUpperCase()}Bench`;
        return big.put(
          registryRecord(config, {
            userPoolId,
            issuer: `${env.endpoints.cognito}/${userPoolId}`,
            clientId: `${config.id}client`,
          }),
        );
      }),
    );
  }
  const registered = (await big.list()).length;

  progress('bundling GET /me as CDK does');
  const [bundle] = await buildBundles(
    lambdaFunctions().filter((f) => f.id === 'getMe'),
    join(work, 'bundles'),
  ).then((b) => b.filter((x) => x.kind === 'route'));
  if (!bundle) throw new Error('no bundle');
  const event = join(work, 'event.json');
  writeFileSync(event, JSON.stringify(anEvent({ method: 'GET', path: '/me', token })));
  const runner = join(work, 'cold.mjs');
  writeFileSync(
    runner,
    [
      'const { handler } = await import(process.argv[2]);',
      "const event = JSON.parse((await import('node:fs')).readFileSync(process.argv[3], 'utf8'));",
      "const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10000 };",
      'const result = await handler(event, context);',
      'if (result.statusCode !== 200) { console.error(result.statusCode, result.body); process.exit(3); }',
    ].join('\n'),
  );
  // The deployed default cache, not offline's one second.
  const { TENANT_CACHE_SECONDS: _, ...functionEnv } = env.functionEnvironment;
  // Spawned asynchronously: the offline Cognito, whose JWKS a fresh process fetches for its first token, runs in
  // this process, and a spawnSync would block it (the fetch then times out and the request is refused with 401).
  const fresh = async (tenantsTable: string, command: string[]) => {
    const t0 = performance.now();
    const child = spawn(node, command, {
      cwd: PROJECT_ROOT,
      env: { ...functionEnv, [TENANTS_TABLE.envVar]: tenantsTable, NODE_OPTIONS, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [status] = (await once(child, 'close')) as [number | null];
    if (status !== 0) throw new Error(`${command.join(' ')} failed (${status}): ${stderr}\n${stdout}`);
    return { ms: performance.now() - t0, stdout };
  };
  const coldStart = async (tenantsTable: string) =>
    (await fresh(tenantsTable, [runner, bundle.file, event])).ms;
  progress(`timing cold starts, ${runs} rounds of 2 and of 1,000 tenants`);
  const two: number[] = [];
  const thousand: number[] = [];
  await coldStart(env.tables[TENANTS_TABLE.envVar] as string);
  for (let i = 0; i < runs; i++) {
    two.push(await coldStart(env.tables[TENANTS_TABLE.envVar] as string));
    thousand.push(await coldStart(bigTable));
  }
  const coldRatio = median(thousand) / median(two);
  if (coldRatio > COLD_START_BUDGET) failures.push(`cold start ${ratio(coldRatio)} > ${COLD_START_BUDGET}×`);

  progress('counting registry reads on warm requests');
  const warm = 20;
  const counted = await fresh(bigTable, ['--import', 'tsx', 'bench/warm-reads.ts', event, String(warm)]);
  const { first: firstReads, warm: warmReads } = JSON.parse(
    counted.stdout.trim().split('\n').pop() as string,
  ) as {
    first: number;
    warm: number;
  };
  if (warmReads !== 0) failures.push(`${warmReads} registry reads on ${warm} warm requests`);

  return [
    `#### A request's cost in tenants (GET /me, bundled as deployed; ${registered} tenants in the larger registry)`,
    '',
    table(
      ['measure', '2 tenants', '1,000 tenants', 'ratio', 'budget', 'verdict'],
      [
        [
          `cold start: Node start, import, first authorised request (median of ${runs}, ms)`,
          fixed(median(two)),
          fixed(median(thousand)),
          ratio(coldRatio),
          `≤ ${COLD_START_BUDGET}×`,
          coldRatio <= COLD_START_BUDGET ? 'PASS' : 'FAIL',
        ],
        [
          'registry reads: first request of an instance / next 20 warm requests',
          '',
          `${firstReads} / ${warmReads}`,
          '',
          '0 warm',
          warmReads === 0 ? 'PASS' : 'FAIL',
        ],
      ],
      'lrrrll',
    ),
  ].join('\n');
}
