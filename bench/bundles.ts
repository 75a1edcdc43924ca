// Each function's bundle as CDK builds it (esbuild with lib/gatehouse-function.ts's BUNDLING), what it is made
// of (esbuild's metafile), and how long a fresh Node process takes to import it, against a bare Node start.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import type { ClientNeeds, DirectoryNeeds, StoreNeeds } from '#adapters/wiring.ts';
import { handlerFile, ROUTES, type RouteId, storesOf } from '#api/routes.ts';
import { SCIM_CLIENTS, SCIM_DIRECTORY, SCIM_HANDLER_FILE, SCIM_STORES } from '#api/scim-routes.ts';
import { JOBS, REGISTRY_WRITER, TRIGGERS } from '#lib/access.ts';
import { bundlingFor, NODE_OPTIONS, PROJECT_ROOT } from '#lib/gatehouse-function.ts';

export interface LambdaFunction {
  id: string;
  kind: 'route' | 'trigger' | 'job';
  /** Relative to the repository root, as CDK's `entry`. */
  entry: string;
  /** The SDK clients it declares besides DynamoDB's: what CDK bundles it with (lib/gatehouse-function.ts). */
  clients: ClientNeeds;
  /** The stores and parts of stores it declares (`OptionalStore`): likewise what CDK bundles it with. */
  stores: StoreNeeds;
  /** The directory's operations it declares: likewise. */
  directory: DirectoryNeeds;
}

/**
 * Every function CDK deploys, with the clients it declares: one per route of the route table, the SCIM
 * function, each trigger, each job (the scheduled reconciler, the registry's custom resource).
 */
export function lambdaFunctions(): LambdaFunction[] {
  return [
    ...(Object.entries(ROUTES) as [RouteId, (typeof ROUTES)[RouteId]][]).map(([id, route]) => ({
      id,
      kind: 'route' as const,
      entry: `lambdas/api/handlers/${handlerFile(id)}`,
      clients: route.clients,
      stores: storesOf(route),
      directory: route.directory ?? [],
    })),
    {
      id: 'scim',
      kind: 'route',
      entry: `lambdas/api/handlers/${SCIM_HANDLER_FILE}`,
      clients: SCIM_CLIENTS,
      stores: SCIM_STORES,
      directory: SCIM_DIRECTORY,
    },
    ...Object.entries(TRIGGERS).map(([id, trigger]) => ({
      id,
      kind: 'trigger' as const,
      entry: trigger.entry,
      clients: trigger.clients,
      stores: trigger.stores,
      directory: trigger.directory,
    })),
    ...Object.entries(JOBS).map(([id, job]) => ({
      id,
      kind: 'job' as const,
      entry: job.entry,
      clients: job.clients,
      stores: job.stores,
      directory: job.directory,
    })),
    {
      id: 'registerTenant',
      kind: 'job',
      entry: REGISTRY_WRITER.entry,
      clients: REGISTRY_WRITER.clients,
      stores: [],
      directory: REGISTRY_WRITER.directory,
    },
  ];
}

/** The SDK packages of the clients a function may declare: a bundle holds one only if its function declares it. */
export const CLIENT_PACKAGES = {
  cognito: '@aws-sdk/client-cognito-identity-provider',
  ses: '@aws-sdk/client-sesv2',
  secrets: '@aws-sdk/client-secrets-manager',
} as const satisfies Record<ClientNeeds[number], string>;

// Every BUNDLING option CDK turns into an esbuild argument must be mirrored below; one the bench does not know
// fails it, so the measured bundle cannot drift from the deployed one unnoticed.
const MIRRORED = new Set([
  'forceDockerBundling',
  'format',
  'target',
  'mainFields',
  'banner',
  'footer',
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'bundleAwsSDK',
  'externalModules',
  'define',
  'loader',
  'keepNames',
  'esbuildArgs',
]);

/** The esbuild arguments CDK passes through (`esbuildArgs`) that the bench knows how to mirror: `--alias` alone. */
function aliasesOf(args: BundlingOptions['esbuildArgs']): Record<string, string> {
  const unknown = Object.keys(args ?? {}).filter((key) => key !== '--alias');
  if (unknown.length > 0)
    throw new Error(
      `bench/bundles.ts does not mirror the esbuild argument(s) ${unknown.join(', ')}: teach it`,
    );
  const alias = args?.['--alias'];
  const items = alias === undefined ? [] : Array.isArray(alias) ? alias : [String(alias)];
  return Object.fromEntries(
    items.map((item) => {
      const at = item.indexOf('=');
      return [item.slice(0, at), item.slice(at + 1)];
    }),
  );
}

/**
 * The esbuild options CDK's NodejsFunction passes for a function's bundling (aws-lambda-nodejs/lib/bundling.js):
 * BUNDLING, with the define of the clients it declares (`bundlingFor`).
 */
export function esbuildOptions(
  outdir: string,
  needs: Pick<LambdaFunction, 'clients' | 'stores' | 'directory'> = {
    clients: [],
    stores: [],
    directory: [],
  },
): BuildOptions {
  const b = bundlingFor(needs);
  const unknown = Object.keys(b).filter((key) => !MIRRORED.has(key));
  if (unknown.length > 0) {
    throw new Error(
      `bench/bundles.ts does not mirror the bundling option(s) ${unknown.join(', ')}: teach it`,
    );
  }
  const sourceMap = b.sourceMapMode ?? b.sourceMap;
  const mode = b.sourceMapMode ?? 'default';
  return {
    bundle: true,
    platform: 'node',
    target: b.target ?? 'node22',
    ...(b.format ? { format: b.format as 'esm' | 'cjs' } : {}),
    outfile: join(outdir, b.format === 'esm' ? 'index.mjs' : 'index.js'),
    minify: b.minify ?? false,
    ...(sourceMap ? { sourcemap: mode === 'default' ? true : (mode as 'inline' | 'external' | 'both') } : {}),
    sourcesContent: b.sourcesContent ?? true,
    external: b.externalModules ?? (b.bundleAwsSDK ? [] : ['@aws-sdk/*']),
    ...(b.loader ? { loader: b.loader as BuildOptions['loader'] } : {}),
    ...(b.define ? { define: b.define } : {}),
    keepNames: b.keepNames ?? false,
    ...(b.banner ? { banner: { js: b.banner } } : {}),
    ...(b.footer ? { footer: { js: b.footer } } : {}),
    ...(b.mainFields ? { mainFields: b.mainFields } : {}),
    ...(b.esbuildArgs ? { alias: aliasesOf(b.esbuildArgs) } : {}),
    absWorkingDir: PROJECT_ROOT,
    metafile: true,
    logLevel: 'error',
  };
}

export interface Bundle {
  id: string;
  kind: LambdaFunction['kind'] | 'reference';
  file: string;
  bytes: number;
  mapBytes: number;
  /** Bytes in the bundle per package (`gatehouse` for the repository's own code), largest first. */
  packages: PackageBytes[];
  /** The SDK clients it was bundled with besides DynamoDB's. */
  clients: ClientNeeds;
  /** A function's reference bundle (`referenceId`): the SDK clients it uses, alone. */
  reference?: string;
}

export interface PackageBytes {
  name: string;
  bytes: number;
  /** The package's largest folder, two levels down, and its bytes: where to look first. */
  largestPart: { path: string; bytes: number };
}

/**
 * The reference of a function: a bundle of nothing but the SDK clients it uses, constructed as wiring.ts
 * constructs them (DynamoDB's, and Cognito's or SES's when it declares them). Its floor: what Gatehouse adds
 * is measured against it, in size and in import time.
 */
export function referenceId(clients: ClientNeeds): string {
  return ['sdk: dynamodb', ...[...clients].sort()].join(' + ');
}

function referenceSource(clients: ClientNeeds): string {
  const cognito = clients.includes('cognito');
  const ses = clients.includes('ses');
  const secrets = clients.includes('secrets');
  return `
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
    ${cognito ? "import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';" : ''}
    ${ses ? "import { SESv2Client } from '@aws-sdk/client-sesv2';" : ''}
    ${secrets ? "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';" : ''}
    const clients = [
      DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
      new DynamoDBClient({}),
      ${cognito ? "new CognitoIdentityProviderClient({ retryMode: 'standard', maxAttempts: 6 })," : ''}
      ${ses ? "new SESv2Client({ retryMode: 'standard', maxAttempts: 6 })," : ''}
      ${secrets ? 'new SecretsManagerClient({}),' : ''}
    ];
    export const handler = async (event) => clients[0].send(new GetCommand(event));`;
}

/** Further references, timed like the functions, to tell what the rest of their import time is made of. */
const OTHER_REFERENCES: Record<string, string> = {
  // As lambdas/domain/zod.ts brings it in: the mini build, with the English messages.
  'zod-mini': `
    import * as z from 'zod/mini';
    const schema = z.strictObject({ email: z.email() });
    export const handler = async (event) => schema.parse(event);`,
  'aws-jwt-verify-only': `
    import { verifyJwtSync } from 'aws-jwt-verify/jwt-verifier';
    export const handler = async (event) => verifyJwtSync(event.token, event.jwks, { issuer: event.issuer, audience: null });`,
};

/** `others: false` leaves out the references that only explain import time (the bundle test's case). */
export async function buildBundles(
  functions: LambdaFunction[],
  dir: string,
  options: { others?: boolean } = {},
): Promise<Bundle[]> {
  const bundles: Bundle[] = [];
  const one = async (
    id: string,
    kind: Bundle['kind'],
    input: Pick<BuildOptions, 'entryPoints' | 'stdin'>,
    clients: ClientNeeds = [],
    reference?: string,
    stores: StoreNeeds = [],
    directory: DirectoryNeeds = [],
  ) => {
    const outdir = join(dir, id.replace(/[^\w-]+/g, '_'));
    mkdirSync(outdir, { recursive: true });
    const options = esbuildOptions(outdir, { clients, stores, directory });
    const result = await build({ ...options, ...input });
    const file = options.outfile as string;
    bundles.push({
      id,
      kind,
      file,
      bytes: statSync(file).size,
      mapBytes: statSync(`${file}.map`, { throwIfNoEntry: false })?.size ?? 0,
      packages: packagesOf(result.metafile as Metafile),
      clients,
      ...(reference ? { reference } : {}),
    });
  };
  const stdin = (id: string, contents: string) => ({
    stdin: { contents, resolveDir: PROJECT_ROOT, sourcefile: `${id.replace(/[^\w-]+/g, '_')}.mjs` },
  });
  const sets = new Map(functions.map((f) => [referenceId(f.clients), f.clients]));
  // One at a time: the machine the bench runs on may have two cores, and import timing follows.
  for (const [id, clients] of sets) await one(id, 'reference', stdin(id, referenceSource(clients)));
  if (options.others ?? true) {
    for (const [id, contents] of Object.entries(OTHER_REFERENCES)) {
      await one(id, 'reference', stdin(id, contents));
    }
  }
  for (const f of functions) {
    await one(
      f.id,
      f.kind,
      { entryPoints: [join(PROJECT_ROOT, f.entry)] },
      f.clients,
      referenceId(f.clients),
      f.stores,
      f.directory,
    );
  }
  return bundles;
}

function packagesOf(metafile: Metafile): PackageBytes[] {
  const [, output] = Object.entries(metafile.outputs).find(([path]) => !path.endsWith('.map')) ?? [];
  const inputs = output?.inputs ?? {};
  const byPackage = new Map<string, { bytes: number; parts: Map<string, number> }>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
    const name = match?.[1] ?? 'gatehouse';
    const part = (match?.[2] ?? path).split('/').slice(0, -1).slice(0, 2).join('/') || '.';
    const entry = byPackage.get(name) ?? { bytes: 0, parts: new Map() };
    entry.bytes += bytesInOutput;
    entry.parts.set(part, (entry.parts.get(part) ?? 0) + bytesInOutput);
    byPackage.set(name, entry);
  }
  return [...byPackage.entries()]
    .map(([name, { bytes, parts }]) => {
      const [path, partBytes] = [...parts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['.', 0];
      return { name, bytes, largestPart: { path, bytes: partBytes } };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

export interface ImportTiming {
  /** Median wall time of a fresh `node` importing an empty module, and importing each bundle (ms). */
  bareMs: number;
  bundleMs: Record<string, number>;
  runs: number;
}

/**
 * Each bundle imported in a fresh Node process (the Lambda runtime's Node), with the function's environment
 * (module start-up reads and checks it) and NODE_OPTIONS, against the same process importing an empty
 * module. Rounds interleave the bare start with every bundle, so drift on the machine hits all alike.
 */
export function timeImports(
  bundles: Bundle[],
  options: { node: string; dir: string; environment: Record<string, string>; runs: number },
): ImportTiming {
  const loader = join(options.dir, 'load.mjs');
  const empty = join(options.dir, 'empty.mjs');
  writeFileSync(
    loader,
    "const m = await import(process.argv[2]);\nif (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(2); }\n",
  );
  writeFileSync(empty, 'export const handler = async () => {};\n');
  const env = { ...options.environment, NODE_OPTIONS, LANG: 'C.UTF-8' };
  const once = (file: string) => {
    const started = performance.now();
    const run = spawnSync(options.node, [loader, file], { env, encoding: 'utf8', timeout: 30_000 });
    const ms = performance.now() - started;
    if (run.status !== 0) throw new Error(`importing ${file} failed (${run.status}): ${run.stderr}`);
    return ms;
  };
  const samples = new Map<string, number[]>();
  const add = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
  once(empty); // the first start warms the page cache for all
  for (let round = 0; round < options.runs; round++) {
    add('bare', once(empty));
    for (const bundle of bundles) add(bundle.id, once(bundle.file));
  }
  return {
    bareMs: median(samples.get('bare') ?? []),
    bundleMs: Object.fromEntries(bundles.map((b) => [b.id, median(samples.get(b.id) ?? [])])),
    runs: options.runs,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export interface FirstRequest {
  /** Median of the runs: the handler's first request in a fresh process, after its import (ms). */
  ms: number;
  status: number;
}

/**
 * Each route's first request after its import, in a fresh Node per run, against the running emulators: the
 * token's verification (the registry read and the issuer's keys), the authorisation reads (profile and role
 * catalogue), and the reply. The request carries a query parameter no route knows, so every route answers
 * 400 after authorising it and nothing is changed; a 401 or 403 would mean authorisation did not pass.
 */
export function timeFirstRequests(
  bundles: Bundle[],
  options: {
    node: string;
    dir: string;
    environment: Record<string, string>;
    runs: number;
    eventOf: (id: string) => unknown;
  },
): Record<string, FirstRequest> {
  const runner = join(options.dir, 'first-request.mjs');
  writeFileSync(
    runner,
    [
      "import { readFileSync } from 'node:fs';",
      'const event = JSON.parse(readFileSync(process.argv[3], "utf8"));',
      "const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10000 };",
      'const { handler } = await import(process.argv[2]);',
      'const started = performance.now();',
      'const result = await handler(event, context);',
      'console.log(JSON.stringify({ ms: performance.now() - started, status: result.statusCode }));',
    ].join('\n'),
  );
  const env = { ...options.environment, NODE_OPTIONS, LANG: 'C.UTF-8' };
  const results: Record<string, FirstRequest> = {};
  for (const bundle of bundles) {
    const eventFile = join(options.dir, `event-${bundle.id}.json`);
    writeFileSync(eventFile, JSON.stringify(options.eventOf(bundle.id)));
    const samples: FirstRequest[] = [];
    for (let i = 0; i < options.runs; i++) {
      const run = spawnSync(options.node, [runner, bundle.file, eventFile], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (run.status !== 0)
        throw new Error(`first request of ${bundle.id} failed (${run.status}): ${run.stderr}`);
      const line = run.stdout.split('\n').findLast((l) => l.startsWith('{"ms"'));
      if (!line) throw new Error(`first request of ${bundle.id}: no result in ${run.stdout}`);
      samples.push(JSON.parse(line) as FirstRequest);
    }
    const statuses = [...new Set(samples.map((s) => s.status))];
    if (statuses.length !== 1 || statuses[0] !== 400) {
      throw new Error(
        `first request of ${bundle.id} answered ${statuses.join(', ')}, not 400 after authorising`,
      );
    }
    results[bundle.id] = { ms: median(samples.map((s) => s.ms)), status: 400 };
  }
  return results;
}
