// Composition root: the AWS clients (once per module) and the adapters the use cases get as ports. Every
// function has DynamoDB's client, the user store's reads by key and the role catalogue; Cognito's and SES's
// clients (`AwsClient`), the other stores and the other parts of those two (`OptionalStore`) and the directory's
// operations (`DirectoryOperation`) only a function that declares them, so a function neither constructs nor
// bundles what its route does not use (README "Performance and cost").
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobStore, JobWork } from '#services/job-ports.ts';
import type { JobDeps } from '#services/jobs.ts';
import type {
  Deps,
  Directory,
  DirectoryOperation,
  IdempotencyStore,
  Mailer,
  OAuthClients,
  ScimClientStore,
  ScimTokenStore,
} from '#services/ports.ts';
import * as cognitoDirectory from './cognito-directory.ts';
import { CognitoOAuthClients } from './cognito-oauth-clients.ts';
import { DynamoIdempotencyStore } from './dynamo-idempotency-store.ts';
import { DynamoJobStore, DynamoJobWork } from './dynamo-job-store.ts';
import { DynamoRoleStore, type RoleCatalogues } from './dynamo-role-store.ts';
import { DynamoRoleWrites, type RoleWrites } from './dynamo-role-writes.ts';
import { DynamoScimClientStore, DynamoScimTokenStore } from './dynamo-scim-token-store.ts';
import { DynamoTenantReader, DynamoTenantRegistry } from './dynamo-tenant-registry.ts';
import { DynamoUserHistory, DynamoUserList } from './dynamo-user-pages.ts';
import { DynamoUserStore } from './dynamo-user-store.ts';
import { DynamoUserWrites, type UserWrites } from './dynamo-user-writes.ts';
import type { StoreTableNames, TableNames } from './environment.ts';
import { paceClient, TokenBucket } from './rate-limiter.ts';
import { DynamoUserSearch } from './search-index.ts';
import { SesMailer } from './ses-mailer.ts';

/**
 * The SDK clients a function may use besides DynamoDB's, which every function has: Cognito's, SES's, and
 * Secrets Manager's (the paginated routes' cursor keys, lambdas/adapters/cursor-keys.ts). Declared once per
 * function, beside its route (`clients` in lambdas/api/routes.ts), its SCIM routes or its trigger or job
 * (lib/access.ts); the bundling reads the same declaration (lib/gatehouse-function.ts `bundlingFor`).
 */
export type AwsClient = 'cognito' | 'ses' | 'secrets';
export type ClientNeeds = readonly AwsClient[];

/**
 * The stores, and parts of stores, a function may use besides the user store's reads by key and the role
 * catalogue, which every function has (a route's authorisation reads both). Declared once per function like its
 * clients (`stores` in lambdas/api/routes.ts, where `idempotency` follows from the route taking an
 * Idempotency-Key, SCIM_STORES, JOBS and TRIGGERS in lib/access.ts) and read by the bundling and `createDeps`
 * alike. The stores are classes, whose unused methods esbuild never drops: so they come in parts. `jobs` is the
 * job routes' half of the job store, `jobWork` the worker's. Parts of `users`: `search` its search index reader
 * (`users.search`: the user list, a bulk job's "every match", SCIM's filters), `userWrites` its writes (create,
 * update, delete, record, touchLogin), `userList` its listing of every profile (the reconciler, a role's
 * holders), `history` its history; of `roles`: `roleWrites` its writes. `oauthClients` is SCIM's OAuth clients,
 * Cognito app clients (so it needs the Cognito client declared too).
 */
export type OptionalStore =
  | 'jobs'
  | 'jobWork'
  | 'idempotency'
  | 'scimTokens'
  | 'scimClients'
  | 'search'
  | 'userWrites'
  | 'userList'
  | 'history'
  | 'roleWrites'
  | 'oauthClients';
export type StoreNeeds = readonly OptionalStore[];

/**
 * The directory's operations (the `Directory` port's methods) a function sends to Cognito, declared once per
 * function like its stores (`directory` in lambdas/api/routes.ts, SCIM_DIRECTORY, lambdas/triggers/needs.ts,
 * lambdas/jobs/needs.ts) and read by the bundling and `createDeps` alike: each is its own function
 * (lambdas/adapters/cognito-directory.ts), so a function bundles the code, commands and schemas of its own
 * alone. Declaring one implies declaring the `cognito` client (test/infra/bundles.test.ts).
 */
export type DirectoryNeeds = readonly DirectoryOperation[];

/**
 * What a function declares it uses: the clients besides DynamoDB's, the stores and parts besides every function's,
 * the directory's operations.
 */
export interface Needs {
  clients: ClientNeeds;
  stores: StoreNeeds;
  directory: DirectoryNeeds;
}

/**
 * The variable the bundling defines as "1" for a client, store or directory operation a function does not
 * declare (lib/gatehouse-function.ts): an operation's is `GATEHOUSE_WITHOUT_DIRECTORY_<OPERATION>`.
 */
export function withoutVariable(name: AwsClient | OptionalStore | `directory.${DirectoryOperation}`): string {
  const words = name.replace('directory.', 'directory_').replaceAll(/[A-Z]/g, (c) => `_${c}`);
  return `GATEHOUSE_WITHOUT_${words.toUpperCase()}`;
}

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

/** A port of a client or store the function does not declare: any use is a programming error, said as such. */
function undeclared<T extends object>(what: `${AwsClient} client` | `${OptionalStore} store`): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (property === 'then') return undefined;
      return () => {
        throw new Error(`This function does not declare the ${what} it uses (${String(property)})`);
      };
    },
  });
}

/** The tenant registry of this instance, as the API, SCIM, the triggers and the job worker read it: one cache shared by every request the instance serves. */
export function createTenantReader(
  tables: Pick<TableNames, 'TENANTS_TABLE'>,
  cacheSeconds?: number,
): DynamoTenantReader {
  return new DynamoTenantReader({
    client: registryClient,
    tableName: tables.TENANTS_TABLE,
    ...(cacheSeconds === undefined ? {} : { cacheSeconds }),
  });
}

/** The registry with its writes and listing: the registry's custom resource and the reconciler. */
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

/**
 * Clients in place of the module's: the job worker's Cognito client on the shared pace; a test's clients on
 * the emulators' endpoints, with its fault injection. And the role catalogues to keep, where a process serves
 * several functions' routes (lambdas/http/api-handler.ts).
 */
export interface ClientOverrides {
  dynamo?: DynamoDBDocumentClient;
  cognito?: CognitoIdentityProviderClient;
  ses?: SESv2Client;
  roleCatalogues?: RoleCatalogues;
}

/**
 * The user and role stores every function has: their other parts (`search`, `userWrites`, `userList`, `history`,
 * `roleWrites`) answer only where the function declares them, built and bundled as `createDeps` says.
 */
export function createStoreDeps(
  tables: StoreTableNames,
  overrides: ClientOverrides = {},
  stores: StoreNeeds = [],
): StoreDeps {
  const client = overrides.dynamo ?? dynamo;
  return {
    users: new DynamoUserStore({
      client,
      profilesTable: tables.PROFILES_TABLE,
      searcher:
        process.env.GATEHOUSE_WITHOUT_SEARCH !== '1' && stores.includes('search')
          ? new DynamoUserSearch({ client, profilesTable: tables.PROFILES_TABLE })
          : undeclared<DynamoUserSearch>('search store'),
      writer:
        process.env.GATEHOUSE_WITHOUT_USER_WRITES !== '1' && stores.includes('userWrites')
          ? new DynamoUserWrites({
              client,
              profilesTable: tables.PROFILES_TABLE,
              historyTable: tables.HISTORY_TABLE,
            })
          : undeclared<UserWrites>('userWrites store'),
      lister:
        process.env.GATEHOUSE_WITHOUT_USER_LIST !== '1' && stores.includes('userList')
          ? new DynamoUserList({ client, profilesTable: tables.PROFILES_TABLE })
          : undeclared<DynamoUserList>('userList store'),
      historian:
        process.env.GATEHOUSE_WITHOUT_HISTORY !== '1' && stores.includes('history')
          ? new DynamoUserHistory({ client, historyTable: tables.HISTORY_TABLE })
          : undeclared<DynamoUserHistory>('history store'),
    }),
    roles: new DynamoRoleStore({
      client,
      profilesTable: tables.PROFILES_TABLE,
      writer:
        process.env.GATEHOUSE_WITHOUT_ROLE_WRITES !== '1' && stores.includes('roleWrites')
          ? new DynamoRoleWrites({
              client,
              profilesTable: tables.PROFILES_TABLE,
              historyTable: tables.HISTORY_TABLE,
            })
          : undeclared<RoleWrites>('roleWrites store'),
      ...(overrides.roleCatalogues ? { catalogues: overrides.roleCatalogues } : {}),
    }),
    now: () => new Date(),
    newId: randomUUID,
  };
}

/** The ports that use a client besides DynamoDB's: what differs between functions of different `needs`. */
export type ClientPorts = Pick<Deps, 'directory' | 'oauthClients' | 'mailer'>;

/**
 * The ports of the declared clients, each built only when its client is declared (see `createDeps`); SCIM's
 * OAuth clients (Cognito app clients, on the same client and pace as the directory) only where the
 * `oauthClients` store is declared too: the SCIM-client routes alone.
 */
function createClientPorts(needs: Needs, clients: ClientOverrides = {}): ClientPorts {
  return {
    // Each test written out in place, not through a helper: esbuild folds a define only where it stands.
    directory:
      process.env.GATEHOUSE_WITHOUT_COGNITO !== '1' && needs.clients.includes('cognito')
        ? createDirectory(needs.directory, clients.cognito)
        : undeclared<Directory>('cognito client'),
    oauthClients:
      process.env.GATEHOUSE_WITHOUT_COGNITO !== '1' &&
      process.env.GATEHOUSE_WITHOUT_OAUTH_CLIENTS !== '1' &&
      needs.clients.includes('cognito') &&
      needs.stores.includes('oauthClients')
        ? new CognitoOAuthClients({ client: clients.cognito ?? cognito })
        : undeclared<OAuthClients>('oauthClients store'),
    mailer:
      process.env.GATEHOUSE_WITHOUT_SES !== '1' && needs.clients.includes('ses')
        ? new SesMailer({ client: clients.ses ?? ses })
        : undeclared<Mailer>('ses client'),
  };
}

/**
 * The directory on Cognito with the declared operations, each built only when declared (the same folding as
 * `createClientPorts`): the bundle of a function that does not declare one leaves out its code, its commands and
 * their schemas, and a use of it fails loudly. For a function that declares Cognito's client (the pre-sign-up
 * trigger builds its own with it).
 */
export function createDirectory(
  operations: DirectoryNeeds,
  client: CognitoIdentityProviderClient = cognito,
): Directory {
  // Each test written out in place, as in `createClientPorts`; an undeclared operation leaves no code at all.
  const declared: Partial<Directory> = {};
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_CREATE_LOGIN !== '1' && operations.includes('createLogin'))
    declared.createLogin = cognitoDirectory.createLogin(client);
  if (
    process.env.GATEHOUSE_WITHOUT_DIRECTORY_CREATE_SILENT_LOGIN !== '1' &&
    operations.includes('createSilentLogin')
  )
    declared.createSilentLogin = cognitoDirectory.createSilentLogin(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_LINK_IDENTITY !== '1' && operations.includes('linkIdentity'))
    declared.linkIdentity = cognitoDirectory.linkIdentity(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_GET_LOGIN !== '1' && operations.includes('getLogin'))
    declared.getLogin = cognitoDirectory.getLogin(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_LIST_LOGINS !== '1' && operations.includes('listLogins'))
    declared.listLogins = cognitoDirectory.listLogins(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_ENABLE_LOGIN !== '1' && operations.includes('enableLogin'))
    declared.enableLogin = cognitoDirectory.enableLogin(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_DISABLE_LOGIN !== '1' && operations.includes('disableLogin'))
    declared.disableLogin = cognitoDirectory.disableLogin(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_DELETE_LOGIN !== '1' && operations.includes('deleteLogin'))
    declared.deleteLogin = cognitoDirectory.deleteLogin(client);
  if (
    process.env.GATEHOUSE_WITHOUT_DIRECTORY_UNDO_CREATE_LOGIN !== '1' &&
    operations.includes('undoCreateLogin')
  )
    declared.undoCreateLogin = cognitoDirectory.undoCreateLogin(client);
  if (
    process.env.GATEHOUSE_WITHOUT_DIRECTORY_RESEND_INVITATION !== '1' &&
    operations.includes('resendInvitation')
  )
    declared.resendInvitation = cognitoDirectory.resendInvitation(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_RESET_PASSWORD !== '1' && operations.includes('resetPassword'))
    declared.resetPassword = cognitoDirectory.resetPassword(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_SET_PASSWORD !== '1' && operations.includes('setPassword'))
    declared.setPassword = cognitoDirectory.setPassword(client);
  if (process.env.GATEHOUSE_WITHOUT_DIRECTORY_CHANGE_EMAIL !== '1' && operations.includes('changeEmail'))
    declared.changeEmail = cognitoDirectory.changeEmail(client);
  return new Proxy(declared as Directory, {
    get(target, property) {
      const operation = Reflect.get(target, property);
      if (operation || typeof property !== 'string' || property === 'then') return operation;
      return () => {
        throw new Error(`This function does not declare the directory operation it uses (${property})`);
      };
    },
  });
}

/** The stores besides users' and roles': what differs between functions of different `stores`. */
export type OptionalStores = Pick<
  JobDeps,
  Exclude<OptionalStore, 'search' | 'userWrites' | 'userList' | 'history' | 'roleWrites' | 'oauthClients'>
>;

/**
 * The declared stores, each built only when declared (the same folding as `createClientPorts`): a function that
 * does not declare one neither constructs nor bundles it, and a use of it fails loudly.
 */
function createOptionalStores(
  tables: TableNames,
  stores: StoreNeeds,
  overrides: ClientOverrides = {},
): OptionalStores {
  const client = overrides.dynamo ?? dynamo;
  return {
    scimTokens:
      process.env.GATEHOUSE_WITHOUT_SCIM_TOKENS !== '1' && stores.includes('scimTokens')
        ? new DynamoScimTokenStore({ client, profilesTable: tables.PROFILES_TABLE })
        : undeclared<ScimTokenStore>('scimTokens store'),
    scimClients:
      process.env.GATEHOUSE_WITHOUT_SCIM_CLIENTS !== '1' && stores.includes('scimClients')
        ? new DynamoScimClientStore({ client, profilesTable: tables.PROFILES_TABLE })
        : undeclared<ScimClientStore>('scimClients store'),
    idempotency:
      process.env.GATEHOUSE_WITHOUT_IDEMPOTENCY !== '1' && stores.includes('idempotency')
        ? new DynamoIdempotencyStore({ client, profilesTable: tables.PROFILES_TABLE })
        : undeclared<IdempotencyStore>('idempotency store'),
    jobs:
      process.env.GATEHOUSE_WITHOUT_JOBS !== '1' && stores.includes('jobs')
        ? new DynamoJobStore({
            client,
            jobsTable: tables.JOBS_TABLE,
            profilesTable: tables.PROFILES_TABLE,
          })
        : undeclared<JobStore>('jobs store'),
    jobWork:
      process.env.GATEHOUSE_WITHOUT_JOB_WORK !== '1' && stores.includes('jobWork')
        ? new DynamoJobWork({
            client,
            jobsTable: tables.JOBS_TABLE,
            profilesTable: tables.PROFILES_TABLE,
          })
        : undeclared<JobWork>('jobWork store'),
  };
}

/**
 * Every port a function declares in `needs`: the stores every function has, the declared other stores
 * (`createOptionalStores`), and the directory (its declared operations: `createDirectory`), SCIM's OAuth clients
 * and the mailer when it declares their clients (`overrides` replace the module's clients). The
 * bundling defines `process.env.GATEHOUSE_WITHOUT_<CLIENT, STORE or DIRECTORY_OPERATION>` as "1" for each client,
 * store and directory operation a function does not declare (`withoutVariable`): esbuild folds that test to false
 * and drops the adapter (and a client's SDK package, an operation's commands) from the bundle. Unbundled (tests,
 * offline) the declaration alone decides, so a route that uses a client, store or operation it does not declare
 * fails its tests.
 */
export function createDeps(tables: TableNames, needs: Needs, overrides: ClientOverrides = {}): JobDeps {
  return {
    ...createStoreDeps(tables, overrides, needs.stores),
    ...createOptionalStores(tables, needs.stores, overrides),
    ...createClientPorts(needs, overrides),
  };
}
