// Each function's bundle as CDK builds it (esbuild with lib/gatehouse-function.ts's BUNDLING), what it is made
// of (esbuild's metafile), and how long a fresh Node process takes to import it, against a bare Node start.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { JOBS } from '#lib/access.ts';
import { BUNDLING, NODE_OPTIONS, PROJECT_ROOT } from '#lib/gatehouse-function.ts';
import { entryOf, functionIds } from '#test/support/operations.ts';

export interface LambdaFunction {
  id: string;
  kind: 'route' | 'trigger' | 'job';
  /** Relative to the repository root, as CDK's `entry`. */
  entry: string;
}

/** Every function CDK deploys: one per route of the route table, each trigger, each scheduled job. */
export function lambdaFunctions(): LambdaFunction[] {
  return [
    ...functionIds().map(({ id, target }) => ({
      id,
      kind: 'route' in target ? ('route' as const) : ('trigger' as const),
      entry: entryOf(target),
    })),
    ...Object.entries(JOBS).map(([id, job]) => ({ id, kind: 'job' as const, entry: job.entry })),
  ];
}

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
]);

/** The esbuild options CDK's NodejsFunction passes for BUNDLING (aws-lambda-nodejs/lib/bundling.js). */
export function esbuildOptions(outdir: string): BuildOptions {
  const unknown = Object.keys(BUNDLING).filter((key) => !MIRRORED.has(key));
  if (unknown.length > 0) {
    throw new Error(
      `bench/bundles.ts does not mirror the bundling option(s) ${unknown.join(', ')}: teach it`,
    );
  }
  const b = BUNDLING;
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
}

export interface PackageBytes {
  name: string;
  bytes: number;
  /** The package's largest folder, two levels down, and its bytes: where to look first. */
  largestPart: { path: string; bytes: number };
}

/**
 * Reference bundles, timed like the functions, to tell what their import time is made of. The first, the
 * DynamoDB and Cognito clients alone, constructed as wiring.ts does, is the floor of any function that calls
 * them: sizes are shown against it.
 */
const REFERENCES: Record<string, string> = {
  'sdk-clients-only': `
    import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
    const clients = [DynamoDBDocumentClient.from(new DynamoDBClient({})), new CognitoIdentityProviderClient({})];
    export const handler = async (event) => clients[0].send(new GetCommand(event));`,
  // As lambdas/ imports it: the named export z is the whole namespace object, every locale included.
  'zod-only-as-imported': `
    import { z } from 'zod';
    const schema = z.strictObject({ email: z.email() });
    export const handler = async (event) => schema.parse(event);`,
  'zod-only-namespace-import': `
    import * as z from 'zod';
    const schema = z.strictObject({ email: z.email() });
    export const handler = async (event) => schema.parse(event);`,
  'aws-jwt-verify-only': `
    import { JwtRsaVerifier } from 'aws-jwt-verify';
    export const handler = async (event) => JwtRsaVerifier.create({ issuer: event.issuer, audience: null });`,
  'powertools-logger-only': `
    import { Logger } from '@aws-lambda-powertools/logger';
    const logger = new Logger({ serviceName: 'bench' });
    export const handler = async (event) => logger.info('event', { event });`,
};

export async function buildBundles(functions: LambdaFunction[], dir: string): Promise<Bundle[]> {
  const bundles: Bundle[] = [];
  const one = async (
    id: string,
    kind: Bundle['kind'],
    input: Pick<BuildOptions, 'entryPoints' | 'stdin'>,
  ) => {
    const outdir = join(dir, id);
    mkdirSync(outdir, { recursive: true });
    const options = esbuildOptions(outdir);
    const result = await build({ ...options, ...input });
    const file = options.outfile as string;
    bundles.push({
      id,
      kind,
      file,
      bytes: statSync(file).size,
      mapBytes: statSync(`${file}.map`, { throwIfNoEntry: false })?.size ?? 0,
      packages: packagesOf(result.metafile as Metafile),
    });
  };
  // One at a time: the machine the bench runs on may have two cores, and import timing follows.
  for (const [id, contents] of Object.entries(REFERENCES)) {
    await one(id, 'reference', { stdin: { contents, resolveDir: PROJECT_ROOT, sourcefile: `${id}.mjs` } });
  }
  for (const f of functions) await one(f.id, f.kind, { entryPoints: [join(PROJECT_ROOT, f.entry)] });
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
