// The project's Lambda function: Node.js 22 on arm64, esbuild-bundled, JSON logs, its own role and typed environment.
import { fileURLToPath } from 'node:url';
import { ArnFormat, type CfnResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DIRECTORY_COMMANDS } from '#adapters/cognito-directory.ts';
import type { EnvironmentVariables } from '#adapters/environment.ts';
import { TABLES } from '#adapters/table-definitions.ts';
import {
  type AwsClient,
  type ClientNeeds,
  type DirectoryNeeds,
  type Needs,
  type OptionalStore,
  type StoreNeeds,
  withoutVariable,
} from '#adapters/wiring.ts';
import type * as z from '#domain/zod.ts';
import type { DirectoryOperation } from '#services/ports.ts';
import type { FunctionAccess, TableKey } from './access.ts';

/** The repository root: function entries, the lock file and esbuild are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

export const LOG_RETENTION = RetentionDays.THREE_MONTHS;

/** Every function's memory unless it sets its own (MB; Lambda gives CPU in proportion). */
export const DEFAULT_MEMORY_SIZE = 512;

/** Stack traces name the TypeScript sources. */
export const NODE_OPTIONS = '--enable-source-maps';

/** The SDK's default credential chain, which every client's runtime config imports… */
export const CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';
/** …and what a bundle has in its place (relative to PROJECT_ROOT, where esbuild runs). */
export const LAMBDA_CREDENTIALS = 'lambdas/adapters/lambda-credentials.ts';

/** How every function is bundled; exported so the bench (bench/bundles.ts) builds exactly these bundles. */
export const BUNDLING: BundlingOptions = {
  // esbuild from node_modules (never Docker): CDK finds it through require.resolve from aws-cdk-lib.
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); an ESM bundle needs it defined.
  banner: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  // The SDK the tests ran against, not whichever the runtime ships.
  bundleAwsSDK: true,
  // Credentials from the environment alone, where Lambda puts the execution role's: the SDK's default chain
  // (SSO, profiles, STS, metadata…) is never reached in a function and weighs ~135 KB (lambdas/adapters/lambda-credentials.ts).
  esbuildArgs: { '--alias': [`${CREDENTIAL_CHAIN}=./${LAMBDA_CREDENTIALS}`] },
};

/** Every client a function may declare besides DynamoDB's; the bundle of one that does not declare it omits it. */
export const AWS_CLIENTS = ['cognito', 'ses', 'secrets'] as const satisfies readonly AwsClient[];
/** Every store, or part of one, a function may declare (`OptionalStore`); likewise omitted where not declared. */
export const OPTIONAL_STORES = [
  'jobs',
  'jobWork',
  'idempotency',
  'scimTokens',
  'scimClients',
  'search',
  'userWrites',
  'userList',
  'history',
  'roleWrites',
  'oauthClients',
] as const satisfies readonly OptionalStore[];
/**
 * Every operation of the directory (the `Directory` port's methods, the keys of its commands' table): likewise
 * omitted where not declared.
 */
export const DIRECTORY_OPERATIONS = Object.keys(DIRECTORY_COMMANDS) as DirectoryOperation[];

/**
 * BUNDLING for a function that uses `needs` (the clients besides DynamoDB's, the stores and parts of stores besides
 * every function's, the directory's operations): each other client, store and operation is defined away
 * (`GATEHOUSE_WITHOUT_<NAME>`, see createDeps in lambdas/adapters/wiring.ts), so esbuild leaves it (and a client's
 * SDK package, an operation's commands) out. The bench
 * (bench/bundles.ts) and the budget test build with this too.
 */
export function bundlingFor(needs: Needs): BundlingOptions {
  const without = [
    ...AWS_CLIENTS.filter((client) => !needs.clients.includes(client)),
    ...OPTIONAL_STORES.filter((store) => !needs.stores.includes(store)),
    ...DIRECTORY_OPERATIONS.filter((operation) => !needs.directory.includes(operation)).map(
      (operation) => `directory.${operation}` as const,
    ),
  ];
  return {
    ...BUNDLING,
    define: {
      ...BUNDLING.define,
      ...Object.fromEntries(without.map((name) => [`process.env.${withoutVariable(name)}`, '"1"'])),
    },
  };
}

export interface GatehouseFunctionProps<S extends z.ZodMiniObject> {
  /** The handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /** The SDK clients it uses besides DynamoDB's, as its route, trigger or job declares them: only these are bundled. */
  clients: ClientNeeds;
  /** The stores and parts of stores it uses (`OptionalStore`), as its route, trigger or job declares them: only these are bundled. */
  stores: StoreNeeds;
  /** The directory's operations it sends, as its route, trigger or job declares them: only these are bundled. */
  directory: DirectoryNeeds;
  description: string;
  /** The function's environment schema (lambdas/adapters/environment.ts), checked again at its cold start. */
  schema: S;
  /** Every variable of `schema` but those with a default: a missing one fails type-checking, and synth. */
  environment: EnvironmentVariables<S>;
  timeout?: Duration;
  memorySize?: number;
  /** Caps the function's concurrency (and reserves it): 1 for a job whose runs must never overlap. */
  reservedConcurrentExecutions?: number;
}

/**
 * What a function's access is granted on: the tables by their variable. Cognito and SES actions go to the
 * account's user pools and sender identities by pattern (see `allow`): a list of tenants would grow the
 * policy with every tenant (IAM's 10 KB per role) and make adding one redeploy every function.
 */
export interface AccessTargets {
  tables: Record<TableKey, ITable>;
}

export class GatehouseFunction<S extends z.ZodMiniObject = z.ZodMiniObject> extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GatehouseFunctionProps<S>) {
    super(scope, id);
    // A variable the schema takes as absent (it has a default) may be left out, as EnvironmentVariables allows.
    const missing = Object.entries(props.schema.shape as Record<string, z.ZodMiniType>)
      .filter(([name, schema]) => !(name in props.environment) && !schema.safeParse(undefined).success)
      .map(([name]) => name);
    if (missing.length > 0) throw new Error(`${this.node.path}: environment lacks ${missing.join(', ')}`);

    this.logGroup = new LogGroup(this, 'Logs', { retention: LOG_RETENTION });
    // Its own role, not the managed basic-execution policy: it may write to its log group and nothing else
    // until `allow` adds what its route needs.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_SIZE,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: { ...props.environment, NODE_OPTIONS },
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      bundling: bundlingFor({ clients: props.clients, stores: props.stores, directory: props.directory }),
    });
    Validations.of(this.function.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the code is type-checked and tested on Node 22 (the node@22 dev dependency every npm script runs on); the runtime moves with that pin, not ahead of it.',
    });
  }

  /** Grants exactly `access`: each action on the named tables, indexes and pools, never a wildcard. */
  allow(access: FunctionAccess, targets: AccessTargets): void {
    for (const [key, actions] of Object.entries(access.tables ?? {}) as [TableKey, readonly string[]][]) {
      if (actions.length === 0) continue;
      this.role.addToPolicy(
        new PolicyStatement({
          actions: actions.map((action) => `dynamodb:${action}`),
          resources: [targets.tables[key].tableArn],
        }),
      );
    }
    for (const [key, indexes] of Object.entries(access.indexes ?? {}) as [TableKey, readonly string[]][]) {
      const known = TABLES.find((t) => t.envVar === key)?.globalIndexes.map((i) => i.name) ?? [];
      const unknown = indexes.filter((name) => !known.includes(name));
      if (unknown.length > 0) throw new Error(`${this.node.path}: ${key} has no index ${unknown.join(', ')}`);
      if (indexes.length === 0) continue;
      const table = targets.tables[key];
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((name) => `${table.tableArn}/index/${name}`),
        }),
      );
    }
    const cognito = access.cognito ?? [];
    const acknowledged: string[] = [];
    // cdk-nag names a finding by the ARN as rendered: literals where the stack knows them, else the pseudo.
    const stack = Stack.of(this);
    const known = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const rendered = (service: string, resource: string) =>
      `AwsSolutions-IAM5[Resource::arn:${known(stack.partition, 'Partition')}:${service}:${known(stack.region, 'Region')}:${known(stack.account, 'AccountId')}:${resource}/*]`;
    if (cognito.length > 0) {
      const pools = Stack.of(this).formatArn({
        service: 'cognito-idp',
        resource: 'userpool',
        resourceName: '*',
      });
      this.role.addToPolicy(
        new PolicyStatement({
          actions: cognito.map((action) => `cognito-idp:${action}`),
          resources: [pools],
        }),
      );
      acknowledged.push(rendered('cognito-idp', 'userpool'));
    }
    const ses = access.ses ?? [];
    if (ses.length > 0) {
      const identities = Stack.of(this).formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: '*',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
      this.role.addToPolicy(
        new PolicyStatement({ actions: ses.map((action) => `ses:${action}`), resources: [identities] }),
      );
      acknowledged.push(rendered('ses', 'identity'));
    }
    const policy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnResource | undefined;
    if (policy && acknowledged.length > 0) {
      Validations.of(policy).acknowledge(
        ...acknowledged.map((id) => ({
          id,
          reason:
            "Every tenant's pool and sender in this account and region, by pattern: the pool or sender of a request comes from the registry record of the tenant its verified token names (DESIGN rule 1), and a list of 1,000 tenants would outgrow IAM's 10 KB per role and redeploy every function for each new tenant.",
        })),
      );
    }
  }
}
