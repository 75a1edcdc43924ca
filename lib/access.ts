// What each function may do in AWS: the table and Cognito actions of every route, trigger and job, in one place.
import { DIRECTORY_COMMANDS } from '#adapters/cognito-directory.ts';
import type { TableNames } from '#adapters/environment.ts';
import type { ClientNeeds, DirectoryNeeds, Needs } from '#adapters/wiring.ts';
import type { RouteId } from '#api/routes.ts';
import { SCIM_DIRECTORY } from '#api/scim-routes.ts';
import { JOB_NEEDS } from '#jobs/needs.ts';
import { TRIGGER_DIRECTORY, TRIGGER_STORES, type TriggerName } from '#triggers/needs.ts';

/** DynamoDB item actions, as IAM names them without the `dynamodb:` prefix. */
export type ItemAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem'
  | 'Scan';

/**
 * Cognito user-pool actions, as IAM names them without the `cognito-idp:` prefix: those the directory's
 * operations send (DIRECTORY_COMMANDS), and the app clients' of the SCIM OAuth clients.
 */
export type CognitoAction =
  | (typeof DIRECTORY_COMMANDS)[keyof typeof DIRECTORY_COMMANDS][number]
  | 'CreateUserPoolClient'
  | 'DeleteUserPoolClient';

/** SES actions, as IAM names them without the `ses:` prefix. */
export type SesAction = 'SendEmail';

export type TableKey = keyof TableNames;

export interface FunctionAccess {
  /**
   * Item actions per table (by its environment variable). A TransactWriteItems call needs the action of each
   * item it holds (PutItem, UpdateItem, DeleteItem, ConditionCheckItem) on that item's table.
   */
  tables?: { [T in TableKey]?: readonly ItemAction[] };
  /** Global indexes the function queries: dynamodb:Query on that index, nothing else. */
  indexes?: { [T in TableKey]?: readonly string[] };
  /** Actions on every tenant's user pool (the tenant is known only per request). */
  cognito?: readonly CognitoAction[];
  /** Actions on the tenants' sender identities (each tenant's `mailFrom`, or its verified domain). */
  ses?: readonly SesAction[];
}

/**
 * A trigger's Cognito actions apply to the pools that invoke it, granted in a policy of their own (see
 * GatehouseFunction.allowOnInvokingPools): its pools refer to it, so a grant in its role's default policy would
 * be a dependency cycle (pool → function → role policy → pool).
 */
export type TriggerAccess = Omit<FunctionAccess, 'ses'>;

// Every route reads the caller's current profile to authorise the request (DESIGN rule 2), and the tenant's
// role catalogue (Query), seeding it with the built-in roles on first use (PutItem).
const AUTHORISE = ['GetItem', 'Query', 'PutItem'] as const;
// A change writes the profile (and email claim), moves the administrator count, appends history.
const CHANGE = ['GetItem', 'Query', 'PutItem', 'UpdateItem'] as const;
const HISTORY = ['PutItem'] as const;
// Starting a job: its work in chunks (BatchWriteItem), then the job and its active entry (PutItem).
const START_JOB = ['BatchWriteItem', 'PutItem'] as const;

/**
 * One entry per route of the route table: a route without one fails type-checking and synth. A route that
 * takes an Idempotency-Key also gets IDEMPOTENCY, and the Cognito actions of the directory operations it declares
 * (`directoryAccess`): both derived from the route table in `routeAccess`. A `cognito` here is what a route
 * sends outside the directory.
 */
export const ROUTE_ACCESS = {
  createUser: {
    // With "activate": the login first (an existing one is checked before it is believed), removed again
    // when the profile write is refused.
    tables: { PROFILES_TABLE: CHANGE, HISTORY_TABLE: HISTORY },
  },
  // Listing queries the tenant's profiles: AUTHORISE's Query already covers it.
  listUsers: { tables: { PROFILES_TABLE: AUTHORISE } },
  getUser: { tables: { PROFILES_TABLE: AUTHORISE } },
  activateUser: {
    // A first login is created (or removed again); an existing one is enabled, re-invited, or taken away again.
    tables: { PROFILES_TABLE: CHANGE, HISTORY_TABLE: HISTORY },
  },
  editUser: {
    // A new email moves the claim (put the new, delete the old) and the login's email.
    tables: { PROFILES_TABLE: [...CHANGE, 'DeleteItem'], HISTORY_TABLE: HISTORY },
  },
  // Taking a login away disables it and revokes its sessions; a refused profile write enables it again.
  deactivateUser: { tables: { PROFILES_TABLE: CHANGE, HISTORY_TABLE: HISTORY } },
  archiveUser: { tables: { PROFILES_TABLE: CHANGE, HISTORY_TABLE: HISTORY } },
  restoreUser: { tables: { PROFILES_TABLE: CHANGE, HISTORY_TABLE: HISTORY } },
  deleteUser: {
    // The login's identity-provider links go first, then the login.
    tables: { PROFILES_TABLE: [...AUTHORISE, 'DeleteItem', 'UpdateItem'], HISTORY_TABLE: HISTORY },
  },
  // An invited user gets a fresh invitation (AdminCreateUser RESEND); an active one Cognito's reset code.
  resetPassword: { tables: { PROFILES_TABLE: AUTHORISE, HISTORY_TABLE: HISTORY } },
  resendInvitation: { tables: { PROFILES_TABLE: AUTHORISE, HISTORY_TABLE: HISTORY } },
  setPassword: { tables: { PROFILES_TABLE: AUTHORISE, HISTORY_TABLE: HISTORY } },
  bulkUsers: {
    // Every per-user operation it may run: the lifecycle's writes and Cognito steps (activate's first login,
    // taking a login away and giving it back), resets and invitations, and the email action's send. The
    // Idempotency-Key is completed on its own at the end (UpdateItem, in IDEMPOTENCY). Or a job: a search
    // through the profiles (Query), its work in chunks (BatchWriteItem) and the job with its active entry.
    tables: { PROFILES_TABLE: CHANGE, HISTORY_TABLE: HISTORY, JOBS_TABLE: START_JOB },
    ses: ['SendEmail'],
  },
  // The send, then its history entry (completing the Idempotency-Key, if any).
  emailUser: { tables: { PROFILES_TABLE: AUTHORISE, HISTORY_TABLE: HISTORY }, ses: ['SendEmail'] },
  userHistory: { tables: { PROFILES_TABLE: AUTHORISE, HISTORY_TABLE: ['Query'] } },
  tenantHistory: { tables: { PROFILES_TABLE: AUTHORISE }, indexes: { HISTORY_TABLE: ['byTenant'] } },
  getMe: { tables: { PROFILES_TABLE: AUTHORISE } },
  listRoles: { tables: { PROFILES_TABLE: AUTHORISE } },
  // A role and its name claim are written (renamed: the old claim deleted) with a history entry.
  createRole: { tables: { PROFILES_TABLE: AUTHORISE, HISTORY_TABLE: HISTORY } },
  editRole: { tables: { PROFILES_TABLE: [...AUTHORISE, 'DeleteItem'], HISTORY_TABLE: HISTORY } },
  // Counting a role's holders reads the tenant's users (AUTHORISE's Query).
  deleteRole: { tables: { PROFILES_TABLE: [...AUTHORISE, 'DeleteItem'], HISTORY_TABLE: HISTORY } },
  getLicences: { tables: { PROFILES_TABLE: AUTHORISE } },
  // A dry run reads nothing but the file; a job stores its rows in chunks, then the job and its active entry.
  importUsers: { tables: { PROFILES_TABLE: AUTHORISE, JOBS_TABLE: START_JOB } },
  listJobs: { tables: { PROFILES_TABLE: AUTHORISE, JOBS_TABLE: ['Query'] } },
  getJob: { tables: { PROFILES_TABLE: AUTHORISE, JOBS_TABLE: ['GetItem'] } },
  // The outcomes are the job's idempotency records in the profiles table (AUTHORISE's Query).
  jobResults: { tables: { PROFILES_TABLE: AUTHORISE, JOBS_TABLE: ['GetItem'] } },
  // The job ends (UpdateItem) and leaves the active list (DeleteItem) in one transaction.
  cancelJob: { tables: { PROFILES_TABLE: AUTHORISE, JOBS_TABLE: ['GetItem', 'UpdateItem', 'DeleteItem'] } },
  // A token and the tenant's token count are written together; revoking deletes one and moves the count.
  createScimToken: { tables: { PROFILES_TABLE: [...AUTHORISE, 'UpdateItem'] } },
  listScimTokens: { tables: { PROFILES_TABLE: AUTHORISE } },
  revokeScimToken: { tables: { PROFILES_TABLE: [...AUTHORISE, 'DeleteItem', 'UpdateItem'] } },
  // The tenant's clients are counted (Query), an app client made in its pool, then its record and the client
  // count in one transaction; an app client whose record is refused is deleted again.
  createScimClient: {
    tables: { PROFILES_TABLE: [...AUTHORISE, 'UpdateItem'] },
    cognito: ['CreateUserPoolClient', 'DeleteUserPoolClient'],
  },
  listScimClients: { tables: { PROFILES_TABLE: AUTHORISE } },
  // The record is read (GetItem), the app client deleted, then the record with the count moved.
  revokeScimClient: {
    tables: { PROFILES_TABLE: [...AUTHORISE, 'DeleteItem', 'UpdateItem'] },
    cognito: ['DeleteUserPoolClient'],
  },
} as const satisfies Record<RouteId, FunctionAccess>;

/**
 * What every route adds: the tenant its token's issuer names, read from the registry (cached per instance).
 * Derived in `routeAccess`, like IDEMPOTENCY, so no route can forget it.
 */
export const REGISTRY_READ = { tables: { TENANTS_TABLE: ['GetItem'] } } as const satisfies FunctionAccess;

/**
 * What honouring an Idempotency-Key adds: the key's record in the profiles table is begun (put, or read
 * when it exists), completed in the change's own transaction (update), or released after a failure (delete).
 */
export const IDEMPOTENCY = {
  tables: { PROFILES_TABLE: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] },
} as const satisfies FunctionAccess;

export const TRIGGERS = {
  /** Words the welcome and reset mails: reads the tenant's registry record (its name). */
  // Its Cognito client only describes pools (the mail's sign-in link), granted in lib/stateful-stack.ts.
  customMessage: {
    entry: 'lambdas/triggers/custom-message.ts',
    access: REGISTRY_READ,
    clients: ['cognito'],
    stores: TRIGGER_STORES.customMessage,
    directory: TRIGGER_DIRECTORY.customMessage,
  },
  /** Records the sign-in; the first one (new password set) makes the invited user active. */
  postAuthentication: {
    entry: 'lambdas/triggers/post-authentication.ts',
    clients: [],
    stores: TRIGGER_STORES.postAuthentication,
    directory: TRIGGER_DIRECTORY.postAuthentication,
    access: {
      tables: {
        PROFILES_TABLE: ['GetItem', 'PutItem', 'UpdateItem'],
        HISTORY_TABLE: ['PutItem'],
        TENANTS_TABLE: ['GetItem'],
      },
    },
  },
  /** Refuses a user who is not active, unknown, or unlicensed where a licence is required: reads the profile. */
  preAuthentication: {
    entry: 'lambdas/triggers/pre-authentication.ts',
    clients: [],
    stores: TRIGGER_STORES.preAuthentication,
    directory: TRIGGER_DIRECTORY.preAuthentication,
    access: { tables: { PROFILES_TABLE: ['GetItem'], TENANTS_TABLE: ['GetItem'] } },
  },
  /**
   * Links a first sign-in through the tenant's identity provider to the profile with that email: reads the
   * email claim and the profile, creates the login when the profile has none (an earlier attempt's is read
   * back and adopted), links the identity to it, and writes the profile with its history entry. Finds its
   * tenant in the registry by the event's pool (its issuer).
   */
  preSignUp: {
    entry: 'lambdas/triggers/pre-sign-up.ts',
    clients: ['cognito'],
    stores: TRIGGER_STORES.preSignUp,
    directory: TRIGGER_DIRECTORY.preSignUp,
    access: mergeAccess(
      {
        tables: {
          PROFILES_TABLE: ['GetItem', 'PutItem', 'UpdateItem'],
          HISTORY_TABLE: ['PutItem'],
          TENANTS_TABLE: ['GetItem'],
        },
      },
      directoryAccess(TRIGGER_DIRECTORY.preSignUp),
    ),
  },
  /** Puts tenant, user, roles and permissions into the ID token: reads the profile and the role catalogue. */
  preTokenGeneration: {
    entry: 'lambdas/triggers/pre-token-generation.ts',
    clients: [],
    stores: TRIGGER_STORES.preTokenGeneration,
    directory: TRIGGER_DIRECTORY.preTokenGeneration,
    access: { tables: { PROFILES_TABLE: ['GetItem', 'Query', 'PutItem'], TENANTS_TABLE: ['GetItem'] } },
  },
} as const satisfies Record<TriggerName, { entry: string; access: TriggerAccess } & Needs>;

// The triggers are named once, by their declarations (lambdas/triggers/needs.ts): a trigger here without its
// declaration there, or the other way round, fails type-checking.
export type { TriggerName };

/**
 * The scheduled jobs, each with its entry and its access. Kept apart from ROUTE_ACCESS, whose completeness
 * check stays exactly the route table's: a job is no route.
 */
export const JOBS = {
  /** Repairs drift between each tenant's pool and its profiles (lambdas/services/reconcile.ts). */
  reconcile: {
    entry: 'lambdas/jobs/reconcile.ts',
    ...JOB_NEEDS.reconcile,
    // Lists each pool's logins, then deletes an orphan (its identity-provider links first), disables (and
    // signs out) or enables a login, or sets its email back to the profile's: its directory operations.
    access: mergeAccess(
      {
        // Reads every profile of a tenant; a profile whose login vanished is rewritten in one transaction (the
        // version-checked profile put, the administrator count when it held one, its history entry). Its email
        // stays, so no claim is released: no DeleteItem.
        // Lists the registry's tenants (Scan), then works through the active ones.
        tables: {
          PROFILES_TABLE: ['Query', 'PutItem', 'UpdateItem'],
          HISTORY_TABLE: HISTORY,
          TENANTS_TABLE: ['Scan'],
        },
      },
      directoryAccess(JOB_NEEDS.reconcile.directory),
    ),
  },
  /** Runs every tenant's bulk jobs and imports (lambdas/services/job-worker.ts). */
  jobWorker: {
    entry: 'lambdas/jobs/job-worker.ts',
    ...JOB_NEEDS.jobWorker,
    access: mergeAccess(
      {
        tables: {
          // Each item as its own route would act (bulk actions; an import's create, with its email claim),
          // reading the job creator's profile and roles; an item's idempotency record is begun, completed,
          // released or read back as the job's outcomes (Query).
          PROFILES_TABLE: [...CHANGE, 'DeleteItem'],
          HISTORY_TABLE: HISTORY,
          // The active list and jobs (Query, GetItem), their chunks settled and counts added, a finished job
          // taken off the list (DeleteItem); the shared pace's next moment per category (UpdateItem, GetItem).
          JOBS_TABLE: ['Query', 'GetItem', 'UpdateItem', 'DeleteItem'],
          // Each job's tenant (its pool, its rules, whether it is retired), from the registry.
          TENANTS_TABLE: ['GetItem'],
        },
        ses: ['SendEmail'],
      },
      directoryAccess(JOB_NEEDS.jobWorker.directory),
    ),
  },
} as const satisfies Record<string, { entry: string; access: FunctionAccess } & Needs>;

export type JobName = keyof typeof JOBS;

/**
 * The handler of every tenant stack's registry custom resource (lib/tenant-stack.ts): writes the record under
 * its id and its issuer in one transaction (reading the one before, so a retired tenant stays retired, and
 * deleting the old issuer's item when the pool changed).
 */
export const REGISTRY_WRITER = {
  entry: 'lambdas/jobs/register-tenant.ts',
  access: { tables: { TENANTS_TABLE: ['GetItem', 'PutItem', 'DeleteItem'] } },
  clients: [],
  directory: [],
} as const satisfies {
  entry: string;
  access: FunctionAccess;
  clients: ClientNeeds;
  directory: DirectoryNeeds;
};

/**
 * The Cognito actions a function's directory operations send (DIRECTORY_COMMANDS), each once: its grant on the
 * pools, derived from the operations it declares, as its bundle is (test/infra/bundles.test.ts reads the bundles).
 */
export function directoryAccess(operations: DirectoryNeeds): FunctionAccess {
  return { cognito: [...new Set(operations.flatMap((operation) => DIRECTORY_COMMANDS[operation]))] };
}

/** The union of two grants, each action once. */
export function mergeAccess(a: FunctionAccess, b: FunctionAccess): FunctionAccess {
  const union = <T extends string>(x: readonly T[] = [], y: readonly T[] = []) => [...new Set([...x, ...y])];
  const keys = (x?: object, y?: object) =>
    [...new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})])] as TableKey[];
  return {
    tables: Object.fromEntries(keys(a.tables, b.tables).map((k) => [k, union(a.tables?.[k], b.tables?.[k])])),
    indexes: Object.fromEntries(
      keys(a.indexes, b.indexes).map((k) => [k, union(a.indexes?.[k], b.indexes?.[k])]),
    ),
    cognito: union(a.cognito, b.cognito),
    ses: union(a.ses, b.ses),
  };
}

interface RouteHeaders {
  headers?: { idempotencyKey?: boolean };
  directory?: DirectoryNeeds;
}

/**
 * The access of every route in `routes`, or an error naming each route without an entry (and each entry
 * without a route), so a route added to the table cannot deploy with guessed permissions.
 */
export function routeAccess<Id extends string>(
  routes: Record<Id, RouteHeaders>,
  access: Partial<Record<string, FunctionAccess>>,
): Record<Id, FunctionAccess> {
  const ids = Object.keys(routes) as Id[];
  const missing = ids.filter((id) => !access[id]);
  const stale = Object.keys(access).filter((id) => !(id in routes));
  if (missing.length > 0 || stale.length > 0) {
    throw new Error(
      [
        missing.length > 0
          ? `Routes without an entry in ROUTE_ACCESS (lib/access.ts): ${missing.join(', ')}.`
          : '',
        stale.length > 0 ? `ROUTE_ACCESS entries for no route: ${stale.join(', ')}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }
  return Object.fromEntries(
    ids.map((id) => {
      const own = mergeAccess(access[id] as FunctionAccess, directoryAccess(routes[id].directory ?? []));
      const read = mergeAccess(own, REGISTRY_READ);
      return [id, routes[id].headers?.idempotencyKey ? mergeAccess(read, IDEMPOTENCY) : read];
    }),
  ) as Record<Id, FunctionAccess>;
}

/**
 * The SCIM function (every route of lambdas/api/scim-routes.ts): it reads its token (GetItem) and records its use
 * (UpdateItem); finds users through the email claims and the search index (GetItem, Query, BatchGetItem); and
 * runs the API's own use cases: create and activate (a first login, or one enabled again), edit (the email
 * claim moves, the login's email changes), deactivate, archive and restore; with Idempotency-Keys. The tenant
 * named in the token is read from the registry (REGISTRY_READ); Cognito (the directory operations it declares,
 * SCIM_DIRECTORY) by pattern, like every route.
 */
export const SCIM_ACCESS = mergeAccess(
  mergeAccess(REGISTRY_READ, {
    tables: {
      PROFILES_TABLE: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
      HISTORY_TABLE: HISTORY,
    },
  }),
  mergeAccess(IDEMPOTENCY, directoryAccess(SCIM_DIRECTORY)),
);
