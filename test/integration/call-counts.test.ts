// The AWS calls each operation makes, exactly: every call costs money, latency and quota, so one more than
// the table below fails CI. Every route and trigger must have an operation of its own name
// (test/support/operations.ts) and an expectation below; a new one fails until it has both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gatehouse, startGatehouse } from '#local/runtime.ts';
import { type CallRecorder, countActions, recordCalls, sdkClients } from '#test/support/aws-calls.ts';
import {
  functionIds,
  invoke,
  OPERATIONS,
  type OperationContext,
  operationContext,
  prepareOperation,
} from '#test/support/operations.ts';

// A backend of this file's own, in this worker: some operations read a whole tenant (whether anyone holds a
// role), so their calls depend on what the tenant holds, which only a backend of its own fixes. The functions
// run in this worker too, with recorders on their SDK clients; the offline API and triggers share those
// clients, but only what runs while an operation is recorded is counted.
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-calls-'));
let gatehouse: Gatehouse | undefined;
let recorder: CallRecorder;
let ctx: OperationContext;
let registryReads = 0;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // The deployed registry cache, not offline's one second: the counts are a warm instance's. No job worker: its
  // polling shares the functions' DynamoDB client, and would be counted with them.
  gatehouse = await startGatehouse({ dataDir, tenantCacheSeconds: 300, jobs: { worker: false } });
  const wiring = await import('#adapters/wiring.ts');
  recorder = recordCalls(sdkClients(wiring));
  ctx = await operationContext(gatehouse.environment);
});

afterAll(async () => {
  await gatehouse?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * The calls of each operation, by action (order free), on a warm instance. Every request starts with the
 * caller's authorisation read (one GetItem: DESIGN rule 2; what their roles grant comes from the role
 * catalogue the instance keeps for 30 seconds, one Query when it is re-read); an operation on another user
 * reads that user too (a second GetItem).
 */
const EXPECTED: Record<string, Record<string, number>> = {
  // DESIGN's budget: one AdminCreateUser, one TransactWriteItems, plus the caller's authorisation read.
  createUser: { GetItem: 1, AdminCreateUser: 1, TransactWriteItems: 1 },
  'createUser (inactive)': { GetItem: 1, TransactWriteItems: 1 },
  // The key is taken (PutItem) before anything else, and completed inside the change's own transaction.
  'createUser (Idempotency-Key)': { GetItem: 1, PutItem: 1, AdminCreateUser: 1, TransactWriteItems: 1 },
  'createUser (invalid body: 400)': { GetItem: 1 },
  // One page of the name index (Query), then that page's profiles (BatchGetItem).
  listUsers: { GetItem: 1, Query: 1, BatchGetItem: 1 },
  getUser: { GetItem: 2 },
  activateUser: { GetItem: 2, AdminCreateUser: 1, TransactWriteItems: 1 },
  'activateUser (enable again)': { GetItem: 2, AdminEnableUser: 1, TransactWriteItems: 1 },
  // The first invitation may have expired meanwhile: a fresh one (AdminCreateUser RESEND).
  'activateUser (enable again, never signed in)': {
    GetItem: 2,
    AdminEnableUser: 1,
    AdminCreateUser: 1,
    TransactWriteItems: 1,
  },
  editUser: { GetItem: 2, TransactWriteItems: 1 },
  'editUser (new email)': { GetItem: 2, AdminUpdateUserAttributes: 1, TransactWriteItems: 1 },
  // Disabling stops new sign-ins; the global sign-out revokes the refresh tokens already out.
  deactivateUser: { GetItem: 2, AdminDisableUser: 1, AdminUserGlobalSignOut: 1, TransactWriteItems: 1 },
  archiveUser: { GetItem: 2, AdminDisableUser: 1, AdminUserGlobalSignOut: 1, TransactWriteItems: 1 },
  'archiveUser (no login)': { GetItem: 2, TransactWriteItems: 1 },
  restoreUser: { GetItem: 2, TransactWriteItems: 1 },
  // The profile first, then the login.
  deleteUser: { GetItem: 2, TransactWriteItems: 1, AdminDeleteUser: 1 },
  resetPassword: { GetItem: 2, AdminResetUserPassword: 1, PutItem: 1 },
  'resetPassword (invited)': { GetItem: 2, AdminCreateUser: 1, PutItem: 1 },
  resendInvitation: { GetItem: 2, AdminCreateUser: 1, PutItem: 1 },
  setPassword: { GetItem: 2, AdminSetUserPassword: 1, PutItem: 1 },
  // Two users deactivated: each one's read, Cognito steps and transaction, as deactivateUser alone.
  bulkUsers: { GetItem: 3, AdminDisableUser: 2, AdminUserGlobalSignOut: 2, TransactWriteItems: 2 },
  // The key is taken (PutItem), and completed on its own once every user has a result (UpdateItem).
  'bulkUsers (Idempotency-Key)': {
    GetItem: 3,
    PutItem: 1,
    AdminDisableUser: 2,
    AdminUserGlobalSignOut: 2,
    TransactWriteItems: 2,
    UpdateItem: 1,
  },
  // More than 100 users: their ids stored in chunks of 25 (one BatchWriteItem of up to 25 chunks), then the
  // job and its active entry (TransactWriteItems); no user is read or touched in the request.
  'bulkUsers (job: 101 users)': { GetItem: 1, BatchWriteItem: 1, TransactWriteItems: 1 },
  // The file read and its rows stored as a job, like a bulk job; a dry run reads nothing but the file.
  importUsers: { GetItem: 1, BatchWriteItem: 1, TransactWriteItems: 1 },
  'importUsers (dryRun)': { GetItem: 1 },
  listJobs: { GetItem: 1, Query: 1 },
  getJob: { GetItem: 2 },
  // The job (a 404 when not the caller's to see), then a page of its outcome records.
  jobResults: { GetItem: 2, Query: 1 },
  // The job read to check it is the caller's, read again for its state, then ended and taken off the list.
  cancelJob: { GetItem: 3, TransactWriteItems: 1 },
  // The send, then its history entry.
  emailUser: { GetItem: 2, SendEmail: 1, PutItem: 1 },
  userHistory: { GetItem: 1, Query: 1 },
  tenantHistory: { GetItem: 1, Query: 1 },
  // Answered from the authorisation read itself.
  getMe: { GetItem: 1 },
  // The catalogue the instance keeps (see above) is the whole answer.
  listRoles: { GetItem: 1 },
  createRole: { GetItem: 1, TransactWriteItems: 1 },
  editRole: { GetItem: 1, TransactWriteItems: 1 },
  // Whether anyone holds the role: a page of the users who are not archived, one of those who are (the quiet
  // tenant has one user). It grows with the tenant: a per-role count would make it one GetItem.
  deleteRole: { GetItem: 1, Query: 2, TransactWriteItems: 1 },
  getLicences: { GetItem: 1, Query: 1 },
  // The token and the tenant's token count, in one transaction; revoking is the same the other way.
  createScimToken: { GetItem: 1, TransactWriteItems: 1 },
  listScimTokens: { GetItem: 1, Query: 1 },
  revokeScimToken: { GetItem: 1, TransactWriteItems: 1 },
  // The tenant's clients counted, the app client made in its pool, then its record and the count together.
  createScimClient: { GetItem: 1, Query: 1, CreateUserPoolClient: 1, TransactWriteItems: 1 },
  listScimClients: { GetItem: 1, Query: 1 },
  // The record must be the tenant's; the app client goes first, then the record with the count.
  revokeScimClient: { GetItem: 2, DeleteUserPoolClient: 1, TransactWriteItems: 1 },
  // SCIM: the token's record first (its last use is written at most every five minutes: not here).
  scimGetUser: { GetItem: 2 },
  // An OAuth client's token: verified with its issuer's keys (fetched once per instance, not an AWS call), then
  // the client's record under the tenant, exactly as a SCIM token's.
  'scimGetUser (OAuth client)': { GetItem: 2 },
  // The email claim names the user, then their profile: no index read at all.
  'scimListUsers (userName eq)': { GetItem: 3 },
  // Whether the userName is taken (the email claim), then createUser's own calls.
  scimCreateUser: { GetItem: 2, AdminCreateUser: 1, TransactWriteItems: 1 },
  // The user is read to apply the patch, and again by deactivateUser itself.
  'scimPatchUser (active false)': {
    GetItem: 3,
    AdminDisableUser: 1,
    AdminUserGlobalSignOut: 1,
    TransactWriteItems: 1,
  },
  // Words the mail from the event and the environment alone.
  customMessage: {},
  preAuthentication: { GetItem: 1 },
  // The email claim and the profile, the link, then the profile (made active) with its history entry.
  preSignUp: { GetItem: 2, AdminLinkProviderForUser: 1, TransactWriteItems: 1 },
  preTokenGeneration: { GetItem: 1 },
  postAuthentication: { GetItem: 1, UpdateItem: 1 },
  'postAuthentication (first sign-in)': { GetItem: 1, TransactWriteItems: 1 },
};

const FILE = 'test/integration/call-counts.test.ts';
const OPERATIONS_FILE = 'test/support/operations.ts';

const seen: string[] = [];

describe('AWS calls per operation', () => {
  it.each(functionIds())('$id has an operation and an expectation for its main success path', ({ id }) => {
    expect(
      OPERATIONS.some((op) => op.name === id),
      `${id} has no operation named "${id}" in ${OPERATIONS_FILE}: add its main success path there`,
    ).toBe(true);
    expect(
      EXPECTED[id],
      `${id} has no expectation in EXPECTED (${FILE}): add the calls its main success path makes`,
    ).toBeDefined();
  });

  it('has no expectation for an operation that does not exist', () => {
    const names = new Set(OPERATIONS.map((op) => op.name));
    expect(Object.keys(EXPECTED).filter((name) => !names.has(name))).toEqual([]);
  });

  it.each(
    OPERATIONS.map((op) => [op.name, op] as const),
  )('%s makes exactly the expected calls', async (name, op) => {
    const expected = EXPECTED[name];
    expect(expected, `${name} has no expectation in EXPECTED (${FILE})`).toBeDefined();
    const event = await prepareOperation(ctx, op);
    const { calls: all } = await recorder.during(() => invoke(op, event));
    // The tenant registry is read once per issuer and instance, then cached for 30 s (300 here): counted
    // apart, below, as a warm instance's reads must be 0.
    const calls = all.filter((c) => c.service !== 'registryClient');
    registryReads += all.length - calls.length;
    const made = countActions(calls);
    seen.push(`${name}: ${JSON.stringify(made)}`);
    expect(made, `${name} made ${calls.map((c) => c.action).join(', ') || 'no call'}`).toEqual(expected);
  });

  it('reads the tenant registry 0 times on warm instances', () => {
    // The set-up's sign-ins and requests met each tenant first; every operation after found it cached.
    expect(registryReads).toBe(0);
  });

  afterAll(() => {
    console.log(`AWS calls per operation:\n  ${seen.join('\n  ')}`);
  });
});
