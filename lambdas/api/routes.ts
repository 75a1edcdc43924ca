// The route table: the one list of routes that the handlers, the offline server, CDK and OpenAPI read.
import type { ClientNeeds, DirectoryNeeds, StoreNeeds } from '#adapters/wiring.ts';
import { MAX_IMPORT_BYTES } from '#domain/import-file.ts';
import type { Permission } from '#domain/permissions.ts';
import type * as z from '#domain/zod.ts';
import { BULK_DIRECTORY } from '#jobs/needs.ts';
import {
  BulkBodySchema,
  CreateRoleBodySchema,
  CreateUserBodySchema,
  DeleteUserBodySchema,
  EditRoleBodySchema,
  EditUserBodySchema,
  ImportQuerySchema,
  JobIdParamsSchema,
  JobResultsQuerySchema,
  ListUsersQuerySchema,
  MessageSchema,
  PageQuerySchema,
  RoleIdParamsSchema,
  ScimClientBodySchema,
  ScimClientIdParamsSchema,
  ScimTokenBodySchema,
  ScimTokenIdParamsSchema,
  SetPasswordBodySchema,
  UserIdParamsSchema,
} from './schemas.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRequest {
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
}

export interface RouteDefinition<Req extends RouteRequest = RouteRequest> {
  method: HttpMethod;
  /** API Gateway resource path, e.g. `/users/{userId}`. */
  path: string;
  summary: string;
  /** The permission the caller's current roles must grant; null: any active user of the tenant. */
  permission: Permission | null;
  request: Req;
  /**
   * Request headers the route honours: `ifMatch` — required, the version from the last read's ETag (a stale
   * one is 412); `idempotencyKey` — optional, a retry with the same key returns the first result.
   */
  headers?: { ifMatch?: boolean; idempotencyKey?: boolean };
  /** The largest JSON body the route takes, when more than the default 100 KB. */
  maxBodyBytes?: number;
  /** A body that is a file, not JSON: the media types taken. The route's input `body` is `{ mediaType, text }`. */
  file?: {
    mediaTypes: readonly string[];
    maxBytes: number;
    description: string;
    /** A file of the first media type, for the document (and the contract test's valid request). */
    example: string;
  };
  /** The status answered with a `Location` header naming what it started. */
  location?: { status: number; description: string };
  /**
   * The SDK clients the route uses besides DynamoDB's: its function constructs and bundles these and no
   * other (lambdas/adapters/wiring.ts); its IAM actions on them (lib/access.ts) must match.
   */
  clients: ClientNeeds;
  /**
   * The stores and parts of stores the route uses besides the user store's reads by key and the role catalogue
   * (every route's authorisation reads both), but for the idempotency store, which follows from
   * `headers.idempotencyKey` (`storesOf`): its function constructs and bundles these and no other
   * (`OptionalStore` in lambdas/adapters/wiring.ts).
   */
  stores?: Exclude<StoreNeeds[number], 'idempotency'>[];
  /**
   * The directory's operations the route sends to Cognito (it declares the `cognito` client too): its function
   * builds and bundles these and no other (lambdas/adapters/wiring.ts `createDirectory`); none when absent.
   */
  directory?: DirectoryNeeds;
}

/** The stores a route's function is built with: those it declares, and the idempotency store if it takes a key. */
export function storesOf(route: Pick<RouteDefinition, 'stores' | 'headers'>): StoreNeeds {
  return [...(route.stores ?? []), ...(route.headers?.idempotencyKey ? (['idempotency'] as const) : [])];
}

const route = <Req extends RouteRequest>(definition: RouteDefinition<Req>) => definition;

/** A bulk body names up to 10,000 ids, or a search. */
const BULK_BODY_BYTES = 512 * 1024;

// Each route is its own export, and its own constant: a function's bundle keeps its route (and the schemas
// it names) and drops the others, which it would keep whole through the ROUTES object (README "Performance
// and cost"). Handlers import this module as a namespace (`import * as ROUTES`), so `ROUTES.getUser` reads
// the same as through the table.
export const createUser = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users',
  summary: 'Add a user (status inactive, or invited with "activate": true)',
  permission: 'users.create',
  request: { body: CreateUserBodySchema },
  headers: { idempotencyKey: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['createLogin', 'undoCreateLogin'],
});
export const listUsers = /* @__PURE__ */ route({
  method: 'GET',
  path: '/users',
  summary: "A page of the tenant's users",
  permission: 'users.read',
  request: { query: ListUsersQuerySchema },
  clients: ['secrets'],
  stores: ['search'],
});
export const getUser = /* @__PURE__ */ route({
  method: 'GET',
  path: '/users/{userId}',
  summary: 'One user',
  permission: 'users.read',
  request: { params: UserIdParamsSchema },
  clients: [],
});
export const activateUser = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/{userId}/activate',
  summary:
    'Sign-in on: the first login (Cognito mails the welcome message), or the existing one enabled again',
  permission: 'users.lifecycle',
  request: { params: UserIdParamsSchema },
  headers: { idempotencyKey: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['createLogin', 'undoCreateLogin', 'enableLogin', 'resendInvitation', 'disableLogin'],
});
export const editUser = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/users/{userId}',
  summary: 'Edit profile fields (null clears an optional one); If-Match with the last ETag is required',
  permission: 'users.update',
  request: { params: UserIdParamsSchema, body: EditUserBodySchema },
  headers: { ifMatch: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['changeEmail'],
});
export const deactivateUser = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/{userId}/deactivate',
  summary: 'Sign-in off: the login is disabled and its sessions revoked',
  permission: 'users.lifecycle',
  request: { params: UserIdParamsSchema },
  headers: { idempotencyKey: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['disableLogin', 'enableLogin'],
});
export const archiveUser = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/{userId}/archive',
  summary: 'Out of the default list and unable to sign in, until restored',
  permission: 'users.lifecycle',
  request: { params: UserIdParamsSchema },
  headers: { idempotencyKey: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['disableLogin', 'enableLogin'],
});
export const restoreUser = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/{userId}/restore',
  summary: 'Back from the archive, as inactive',
  permission: 'users.lifecycle',
  request: { params: UserIdParamsSchema },
  headers: { idempotencyKey: true },
  clients: [],
  stores: ['userWrites'],
});
export const deleteUser = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/users/{userId}',
  summary: 'Delete for good, confirmed by the user’s email; the history keeps a final snapshot',
  permission: 'users.delete',
  request: { params: UserIdParamsSchema, body: DeleteUserBodySchema },
  headers: { idempotencyKey: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['deleteLogin'],
});
export const resetPassword = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/{userId}/reset-password',
  summary: 'An invited user gets a fresh invitation; an active one a reset code by mail',
  permission: 'users.password.reset',
  request: { params: UserIdParamsSchema },
  headers: { idempotencyKey: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['resendInvitation', 'resetPassword'],
});
export const resendInvitation = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/{userId}/resend-invitation',
  summary: 'A new temporary password, mailed again, to a user who never completed the first sign-in',
  permission: 'users.lifecycle',
  request: { params: UserIdParamsSchema },
  headers: { idempotencyKey: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['resendInvitation'],
});
export const setPassword = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/users/{userId}/password',
  summary: 'Set a password directly (policy-checked); temporary: true forces a change at next sign-in',
  permission: 'users.password.reset',
  request: { params: UserIdParamsSchema, body: SetPasswordBodySchema },
  headers: { idempotencyKey: true },
  clients: ['cognito'],
  stores: ['userWrites'],
  directory: ['setPassword'],
});
export const bulkUsers = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/bulk',
  summary:
    'One action on many users: up to 100 at once (200, a result each), up to 10,000 or a search as a job (202); reset-password also needs users.password.reset, email users.email',
  permission: 'users.lifecycle',
  request: { body: BulkBodySchema },
  headers: { idempotencyKey: true },
  maxBodyBytes: BULK_BODY_BYTES,
  location: { status: 202, description: 'The job: `/jobs/{jobId}`.' },
  clients: ['cognito', 'ses'],
  stores: ['jobs', 'search', 'userWrites'],
  directory: BULK_DIRECTORY,
});
export const importUsers = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/import',
  summary:
    'Bring in up to 10,000 people from a CSV or JSON Lines file: a validation report per row (dryRun=true), or a job that creates each valid row (202)',
  permission: 'users.create',
  request: { query: ImportQuerySchema },
  headers: { idempotencyKey: true },
  file: {
    mediaTypes: ['text/csv', 'application/jsonl', 'application/x-ndjson'],
    maxBytes: MAX_IMPORT_BYTES,
    description:
      'CSV (RFC 4180, UTF-8 with or without BOM) with a header row naming profile fields, or JSON Lines (one profile a line, as POST /users takes it); at most 10,000 rows and 5 MB.',
    example: 'firstName,lastName,email,teams\r\nAda,Lovelace,ada.lovelace@example.com,north;south\r\n',
  },
  location: { status: 202, description: 'The job: `/jobs/{jobId}`.' },
  clients: [],
  stores: ['jobs'],
});
export const listJobs = /* @__PURE__ */ route({
  method: 'GET',
  path: '/jobs',
  summary: "The tenant's jobs (bulk actions and imports), newest first",
  permission: 'users.read',
  request: { query: PageQuerySchema },
  clients: ['secrets'],
  stores: ['jobs'],
});
export const getJob = /* @__PURE__ */ route({
  method: 'GET',
  path: '/jobs/{jobId}',
  summary: 'A job: its state, counts done, failed and left, and when it started and finished',
  permission: 'users.read',
  request: { params: JobIdParamsSchema },
  clients: [],
  stores: ['jobs'],
});
export const jobResults = /* @__PURE__ */ route({
  method: 'GET',
  path: '/jobs/{jobId}/results',
  summary: "A job's outcomes, one per settled item, in item order; a failure as problem+json",
  permission: 'users.read',
  request: { params: JobIdParamsSchema, query: JobResultsQuerySchema },
  clients: ['secrets'],
  stores: ['jobs'],
});
export const cancelJob = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/jobs/{jobId}',
  summary: 'Cancel what has not started; items under way finish and keep their outcomes',
  permission: 'users.lifecycle',
  request: { params: JobIdParamsSchema },
  clients: [],
  stores: ['jobs'],
});
export const emailUser = /* @__PURE__ */ route({
  method: 'POST',
  path: '/users/{userId}/email',
  summary: "A message from the tenant's sender; the history keeps its subject and message id",
  permission: 'users.email',
  request: { params: UserIdParamsSchema, body: MessageSchema },
  headers: { idempotencyKey: true },
  clients: ['ses'],
  stores: ['userWrites'],
});
export const userHistory = /* @__PURE__ */ route({
  method: 'GET',
  path: '/users/{userId}/history',
  summary: 'Who changed what of this user, and when: newest first',
  permission: 'history.read',
  request: { params: UserIdParamsSchema, query: PageQuerySchema },
  clients: ['secrets'],
  stores: ['history'],
});
export const tenantHistory = /* @__PURE__ */ route({
  method: 'GET',
  path: '/history',
  summary: 'Every change in the tenant: newest first',
  permission: 'history.read',
  request: { query: PageQuerySchema },
  clients: ['secrets'],
  stores: ['history'],
});
export const getMe = /* @__PURE__ */ route({
  method: 'GET',
  path: '/me',
  summary: "The caller's own profile",
  permission: null,
  request: {},
  clients: [],
});
export const listRoles = /* @__PURE__ */ route({
  method: 'GET',
  path: '/roles',
  summary: "The tenant's role catalogue",
  permission: 'users.read',
  request: {},
  clients: [],
});
export const createRole = /* @__PURE__ */ route({
  method: 'POST',
  path: '/roles',
  summary: 'Add a role: permissions, scope, and its combination rules',
  permission: 'roles.manage',
  request: { body: CreateRoleBodySchema },
  headers: { idempotencyKey: true },
  clients: [],
  stores: ['roleWrites'],
});
export const editRole = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/roles/{roleId}',
  summary: 'Edit a role (not the Administrator); If-Match with the last ETag is required',
  permission: 'roles.manage',
  request: { params: RoleIdParamsSchema, body: EditRoleBodySchema },
  headers: { ifMatch: true },
  clients: [],
  stores: ['roleWrites'],
});
export const deleteRole = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/roles/{roleId}',
  summary: 'Delete a role nobody holds (not the Administrator)',
  permission: 'roles.manage',
  request: { params: RoleIdParamsSchema },
  headers: { idempotencyKey: true },
  clients: [],
  stores: ['roleWrites', 'userList'],
});
export const getLicences = /* @__PURE__ */ route({
  method: 'GET',
  path: '/licences',
  summary: 'Seats, used and free per licence type',
  permission: 'users.read',
  request: {},
  clients: [],
});
export const createScimToken = /* @__PURE__ */ route({
  method: 'POST',
  path: '/scim-tokens',
  summary: "A bearer token for the tenant's SCIM endpoint (/scim/v2): shown once, kept hashed",
  permission: 'scim.manage',
  request: { body: ScimTokenBodySchema },
  // No Idempotency-Key, as for POST /scim-clients: a replay would have to keep the secret, which is kept only as
  // a hash. A retry mints a second token, listed and revocable like any other.
  clients: [],
  stores: ['scimTokens'],
});
export const listScimTokens = /* @__PURE__ */ route({
  method: 'GET',
  path: '/scim-tokens',
  summary: "The tenant's SCIM tokens: names, creation and last use (never the tokens)",
  permission: 'scim.manage',
  request: {},
  clients: [],
  stores: ['scimTokens'],
});
export const revokeScimToken = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/scim-tokens/{tokenId}',
  summary: 'Revoke a SCIM token: the next request with it is refused',
  permission: 'scim.manage',
  request: { params: ScimTokenIdParamsSchema },
  clients: [],
  stores: ['scimTokens'],
});

export const createScimClient = /* @__PURE__ */ route({
  method: 'POST',
  path: '/scim-clients',
  summary:
    "An OAuth client for the tenant's SCIM endpoint (client-credentials grant, scope gatehouse/scim): its secret shown once",
  permission: 'scim.manage',
  request: { body: ScimClientBodySchema },
  clients: ['cognito'],
  stores: ['scimClients', 'oauthClients'],
});
export const listScimClients = /* @__PURE__ */ route({
  method: 'GET',
  path: '/scim-clients',
  summary: "The tenant's SCIM OAuth clients: names, creation and last use (never the secrets)",
  permission: 'scim.manage',
  request: {},
  clients: [],
  stores: ['scimClients'],
});
export const revokeScimClient = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/scim-clients/{clientId}',
  summary: 'Revoke a SCIM OAuth client: it gets no new token, and the tokens it holds are refused',
  permission: 'scim.manage',
  request: { params: ScimClientIdParamsSchema },
  clients: ['cognito'],
  stores: ['scimClients', 'oauthClients'],
});

/** The route table: every route by its id. */
export const ROUTES = {
  createUser,
  listUsers,
  getUser,
  activateUser,
  editUser,
  deactivateUser,
  archiveUser,
  restoreUser,
  deleteUser,
  resetPassword,
  resendInvitation,
  setPassword,
  bulkUsers,
  importUsers,
  listJobs,
  getJob,
  jobResults,
  cancelJob,
  emailUser,
  userHistory,
  tenantHistory,
  getMe,
  listRoles,
  createRole,
  editRole,
  deleteRole,
  getLicences,
  createScimToken,
  listScimTokens,
  revokeScimToken,
  createScimClient,
  listScimClients,
  revokeScimClient,
} as const;

export type RouteId = keyof typeof ROUTES;

/** The handler module of a route: `lambdas/api/handlers/<kebab-case id>.ts`, exporting `handler`. */
export function handlerFile(id: RouteId): string {
  return `${id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.ts`;
}
