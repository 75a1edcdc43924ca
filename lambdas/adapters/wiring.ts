// Composition root: the AWS clients (once per module) and the adapters the use cases get as ports.
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobDeps } from '#services/jobs.ts';
import type { Deps } from '#services/ports.ts';
import { CognitoDirectory } from './cognito-directory.ts';
import { DynamoIdempotencyStore } from './dynamo-idempotency-store.ts';
import { DynamoJobStore } from './dynamo-job-store.ts';
import { DynamoRoleStore } from './dynamo-role-store.ts';
import { DynamoScimTokenStore } from './dynamo-scim-token-store.ts';
import { DynamoTenantRegistry } from './dynamo-tenant-registry.ts';
import { DynamoUserStore } from './dynamo-user-store.ts';
import type { StoreTableNames, TableNames } from './environment.ts';
import { paceClient, TokenBucket } from './rate-limiter.ts';
import { SesMailer } from './ses-mailer.ts';

/** The module's clients: exported so tests can put middleware (fault injection, call counting) on them. */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
/** The tenant registry's own low-level client (its record is one JSON attribute), counted apart from `dynamo`. */
export const registryClient = new DynamoDBClient({});
// Cognito's quotas are per account and region, shared by every tenant and function. Each instance paces its
// own calls (COGNITO_PACE); the SDK's standard mode retries throttling with exponential backoff and full jitter
// (1 s, 2 s, 4 s… ranges). Not its adaptive mode: after one throttle, its own limiter drops a quiet instance to
// 0.5 calls a second, which would stall the single requests this pacing exists to protect.
export const cognito = new CognitoIdentityProviderClient({ retryMode: 'standard', maxAttempts: 6 });

/** Per function instance: 10 calls a second, 10 at once after a quiet spell (README "Bulk work and Cognito's quotas"). */
export const COGNITO_PACE = { ratePerSecond: 10, burst: 10 };
export const cognitoBucket = new TokenBucket(COGNITO_PACE);
paceClient(cognito, cognitoBucket);

export const ses = new SESv2Client({ retryMode: 'standard', maxAttempts: 6 });

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

/** The ports of the use cases; `cognito` replaces the module's client (the job worker's, on the shared pace). */
export function createDeps(
  tables: TableNames,
  clients: { cognito?: CognitoIdentityProviderClient } = {},
): JobDeps {
  return {
    ...createStoreDeps(tables),
    scimTokens: new DynamoScimTokenStore({ client: dynamo, profilesTable: tables.PROFILES_TABLE }),
    directory: new CognitoDirectory({ client: clients.cognito ?? cognito }),
    idempotency: new DynamoIdempotencyStore({ client: dynamo, profilesTable: tables.PROFILES_TABLE }),
    mailer: new SesMailer({ client: ses }),
    jobs: new DynamoJobStore({
      client: dynamo,
      jobsTable: tables.JOBS_TABLE,
      profilesTable: tables.PROFILES_TABLE,
    }),
  };
}
