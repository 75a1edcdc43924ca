// Composition root: the AWS clients (once per module) and the adapters the use cases get as ports. Every
// function has DynamoDB's client; Cognito's and SES's only a function that declares them (`AwsClient`), so a
// function that reads DynamoDB neither constructs nor bundles the others (README "Performance and cost").
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobDeps } from '#services/jobs.ts';
import type { Deps, Directory, Mailer, OAuthClients } from '#services/ports.ts';
import { CognitoDirectory } from './cognito-directory.ts';
import { CognitoOAuthClients } from './cognito-oauth-clients.ts';
import { DynamoIdempotencyStore } from './dynamo-idempotency-store.ts';
import { DynamoJobStore } from './dynamo-job-store.ts';
import { DynamoRoleStore } from './dynamo-role-store.ts';
import { DynamoScimClientStore, DynamoScimTokenStore } from './dynamo-scim-token-store.ts';
import { DynamoTenantRegistry } from './dynamo-tenant-registry.ts';
import { DynamoUserStore } from './dynamo-user-store.ts';
import type { StoreTableNames, TableNames } from './environment.ts';
import { paceClient, TokenBucket } from './rate-limiter.ts';
import { SesMailer } from './ses-mailer.ts';

/**
 * The SDK clients a function may use besides DynamoDB's, which every function has: Cognito's, SES's, and
 * Secrets Manager's (the paginated routes' cursor keys, lambdas/adapters/cursor-keys.ts). Declared once per
 * function, beside its route (`clients` in lambdas/api/routes.ts), its SCIM routes or its trigger or job
 * (lib/access.ts); the bundling reads the same declaration (lib/gatehouse-function.ts `bundlingFor`).
 */
export type AwsClient = 'cognito' | 'ses' | 'secrets';
export type ClientNeeds = readonly AwsClient[];

// The clients are built at module start, once, and marked pure: a bundle whose code never reaches one (see
// `createDeps`) leaves it, and its SDK package, out. Exported so tests can put middleware (fault injection,
// call counting) on them.
export const dynamo = /* @__PURE__ */ DynamoDBDocumentClient.from(/* @__PURE__ */ new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
/** The tenant registry's own low-level client (its record is one JSON attribute), counted apart from `dynamo`. */
export const registryClient = /* @__PURE__ */ new DynamoDBClient({});
/** Per function instance: 10 calls a second, 10 at once after a quiet spell (README "Bulk work and Cognito's quotas"). */
export const COGNITO_PACE = { ratePerSecond: 10, burst: 10 };
export const cognitoBucket = /* @__PURE__ */ new TokenBucket(COGNITO_PACE);
// Cognito's quotas are per account and region, shared by every tenant and function. Each instance paces its
// own calls (COGNITO_PACE); the SDK's standard mode retries throttling with exponential backoff and full jitter
// (1 s, 2 s, 4 s… ranges). Not its adaptive mode: after one throttle, its own limiter drops a quiet instance to
// 0.5 calls a second, which would stall the single requests this pacing exists to protect.
export const cognito = /* @__PURE__ */ pacedCognito();

function pacedCognito(): CognitoIdentityProviderClient {
  const client = new CognitoIdentityProviderClient({ retryMode: 'standard', maxAttempts: 6 });
  paceClient(client, cognitoBucket);
  return client;
}

export const ses = /* @__PURE__ */ new SESv2Client({ retryMode: 'standard', maxAttempts: 6 });

/** A port of a client the function does not declare: any use is a programming error, said as such. */
function undeclared<T extends object>(client: AwsClient): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (property === 'then') return undefined;
      return () => {
        throw new Error(`This function does not declare the ${client} client it uses (${String(property)})`);
      };
    },
  });
}

/** The tenant registry of this instance: one cache shared by every request the instance serves. */
export function createTenantRegistry(
  tables: Pick<TableNames, 'TENANTS_TABLE'>,
  cacheSeconds?: number,
): DynamoTenantRegistry {
  return new DynamoTenantRegistry({
    client: registryClient,
    tableName: tables.TENANTS_TABLE,
    ...(cacheSeconds === undefined ? {} : { cacheSeconds }),
  });
}

/** The stores alone: all the Cognito triggers use, and all their IAM roles allow (no Cognito, SES or keys). */
export type StoreDeps = Pick<Deps, 'users' | 'roles' | 'now' | 'newId'>;

export function createStoreDeps(tables: StoreTableNames): StoreDeps {
  return {
    users: new DynamoUserStore({
      client: dynamo,
      profilesTable: tables.PROFILES_TABLE,
      historyTable: tables.HISTORY_TABLE,
    }),
    roles: new DynamoRoleStore({
      client: dynamo,
      profilesTable: tables.PROFILES_TABLE,
      historyTable: tables.HISTORY_TABLE,
    }),
    now: () => new Date(),
    newId: randomUUID,
  };
}

/** The ports that use a client besides DynamoDB's: what differs between functions of different `needs`. */
export type ClientPorts = Pick<Deps, 'directory' | 'oauthClients' | 'mailer'>;

/**
 * The ports of the declared clients, each built only when its client is declared (see `createDeps`). Apart
 * from the stores so that one process serving routes of several client sets (offline, the tests) can give
 * each set its own ports over shared stores (lambdas/http/api-handler.ts).
 */
export function createClientPorts(
  needs: ClientNeeds,
  clients: { cognito?: CognitoIdentityProviderClient } = {},
): ClientPorts {
  return {
    // Each test written out in place, not through a helper: esbuild folds a define only where it stands.
    directory:
      process.env.GATEHOUSE_WITHOUT_COGNITO !== '1' && needs.includes('cognito')
        ? new CognitoDirectory({ client: clients.cognito ?? cognito })
        : undeclared<Directory>('cognito'),
    // SCIM's OAuth clients are Cognito app clients, on the same client and pace as the directory.
    oauthClients:
      process.env.GATEHOUSE_WITHOUT_COGNITO !== '1' && needs.includes('cognito')
        ? new CognitoOAuthClients({ client: clients.cognito ?? cognito })
        : undeclared<OAuthClients>('cognito'),
    mailer:
      process.env.GATEHOUSE_WITHOUT_SES !== '1' && needs.includes('ses')
        ? new SesMailer({ client: ses })
        : undeclared<Mailer>('ses'),
  };
}

/**
 * Every port; the directory, SCIM's OAuth clients and the mailer only when the function declares their clients
 * in `needs` (`clients.cognito` replaces the module's Cognito client: the job worker's, on the shared pace). The
 * bundling defines `process.env.GATEHOUSE_WITHOUT_<CLIENT>` as "1" for each client a function does not
 * declare: esbuild folds that test to false and drops the adapter, the client and its SDK package from the
 * bundle. Unbundled (tests, offline) the declaration alone decides, so a route that uses a client it does not
 * declare fails its tests.
 */
export function createDeps(
  tables: TableNames,
  needs: ClientNeeds,
  clients: { cognito?: CognitoIdentityProviderClient } = {},
): JobDeps {
  return {
    ...createStoreDeps(tables),
    scimTokens: new DynamoScimTokenStore({ client: dynamo, profilesTable: tables.PROFILES_TABLE }),
    scimClients: new DynamoScimClientStore({ client: dynamo, profilesTable: tables.PROFILES_TABLE }),
    ...createClientPorts(needs, clients),
    idempotency: new DynamoIdempotencyStore({ client: dynamo, profilesTable: tables.PROFILES_TABLE }),
    jobs: new DynamoJobStore({
      client: dynamo,
      jobsTable: tables.JOBS_TABLE,
      profilesTable: tables.PROFILES_TABLE,
    }),
  };
}
