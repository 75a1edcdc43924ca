// The SCIM 2.0 route table (RFC 7644), beside the API's: read by the SCIM function, the offline server, CDK and
// OpenAPI. A SCIM route is authorised by a tenant's SCIM token, not a user's Cognito token, and answers in
// SCIM's own format; one function serves them all.

import type { ClientNeeds, DirectoryNeeds, StoreNeeds } from '#adapters/wiring.ts';
import { SCIM, ScimGroupSchema, ScimPatchSchema, ScimUserSchema, schemasOf } from '#domain/scim-resources.ts';
import * as z from '#domain/zod.ts';
import { MAX_PAGE } from '#services/scim-users.ts';
import type { HttpMethod, RouteRequest } from './routes.ts';

export interface ScimRouteDefinition<Req extends RouteRequest = RouteRequest> {
  method: HttpMethod;
  /** API Gateway resource path. */
  path: string;
  summary: string;
  request: Req;
  /** Writes take an optional Idempotency-Key, as the API's do. */
  headers?: { idempotencyKey?: boolean };
  /** The success status. */
  status: 200 | 201 | 204;
}

const scimRoute = <Req extends RouteRequest>(definition: ScimRouteDefinition<Req>) => definition;

export const SCIM_BASE = '/scim/v2';

/** Attribute names, comma-separated: what `attributes` and `excludedAttributes` take. */
const attributeList = z.optional(z.string().check(z.maxLength(1000)));

export const ScimListQuerySchema = z.strictObject({
  filter: z.optional(z.string().check(z.maxLength(1000))),
  // RFC 7644 §3.4.2.4: a startIndex below 1 is taken as 1.
  startIndex: z._default(
    z.pipe(
      z.coerce.number().check(z.int()),
      z.transform((n) => Math.max(1, n)),
    ),
    1,
  ),
  count: z._default(
    z.coerce
      .number()
      .check(z.int())
      .check(z.gte(0))
      .check(z.lte(MAX_PAGE, `must be at most ${MAX_PAGE}`)),
    100,
  ),
  attributes: attributeList,
  excludedAttributes: attributeList,
});

export const ScimReadQuerySchema = z.strictObject({
  attributes: attributeList,
  excludedAttributes: attributeList,
});

export const ScimIdParamsSchema = z.strictObject({
  id: z.string().check(z.minLength(1)).check(z.maxLength(100)),
});

const attributeNames = z.optional(
  z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(100)),
);

/**
 * A query sent in the body (RFC 7644 §3.4.3: `POST …/.search`), so a filter stays out of URLs and their logs:
 * the same parameters as a list's query, the attribute lists as arrays; read as the list's own query.
 */
export const ScimSearchSchema = z.pipe(
  z.strictObject({
    schemas: schemasOf(SCIM.searchRequest, [SCIM.searchRequest]),
    filter: z.optional(z.string().check(z.maxLength(1000))),
    startIndex: z.optional(z.number().check(z.int())),
    count: z.optional(z.number().check(z.int(), z.gte(0), z.lte(MAX_PAGE, `must be at most ${MAX_PAGE}`))),
    attributes: attributeNames,
    excludedAttributes: attributeNames,
  }),
  z.transform(({ filter, startIndex, count, attributes, excludedAttributes }) => ({
    ...(filter === undefined ? {} : { filter }),
    // RFC 7644 §3.4.2.4: a startIndex below 1 is taken as 1.
    startIndex: Math.max(1, startIndex ?? 1),
    count: count ?? 100,
    ...(attributes ? { attributes: attributes.join(',') } : {}),
    ...(excludedAttributes ? { excludedAttributes: excludedAttributes.join(',') } : {}),
  })),
);

/** Operations one `/Bulk` request may hold: each runs in turn, paced like any other, well within 29 s. */
export const MAX_BULK_OPERATIONS = 50;

/** RFC 7644 §3.7: operations on Users and Groups, run in order; `bulkId:<id>` refers to a resource made earlier. */
export const ScimBulkSchema = z.strictObject({
  schemas: schemasOf(SCIM.bulkRequest, [SCIM.bulkRequest]),
  failOnErrors: z.optional(z.number().check(z.int(), z.gte(1))),
  // Bounded for parsing; more than MAX_BULK_OPERATIONS is refused with 413, as RFC 7644 §3.7.4 asks.
  Operations: z
    .array(
      z.strictObject({
        method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']),
        bulkId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
        version: z.optional(z.string().check(z.maxLength(100))),
        path: z.string().check(z.minLength(1), z.maxLength(300)),
        data: z.optional(z.unknown()),
      }),
    )
    .check(z.minLength(1), z.maxLength(1000)),
});
export type ScimBulkRequest = z.output<typeof ScimBulkSchema>;

export const SCIM_ROUTES = {
  scimServiceProviderConfig: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/ServiceProviderConfig`,
    summary: 'What this SCIM service supports: PATCH, filters, ETags, bulk; no sorting or password changes',
    request: {},
    status: 200,
  }),
  scimResourceTypes: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/ResourceTypes`,
    summary: 'The resource types: User (with the enterprise extension) and Group',
    request: {},
    status: 200,
  }),
  scimSchemas: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/Schemas`,
    summary: 'The attributes of a User, its enterprise extension, and a Group, as Gatehouse keeps them',
    request: {},
    status: 200,
  }),
  scimGetResourceType: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/ResourceTypes/{id}`,
    summary: 'One resource type: User or Group',
    request: { params: ScimIdParamsSchema },
    status: 200,
  }),
  scimGetSchema: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/Schemas/{id}`,
    summary: 'One schema, by its URN',
    request: { params: ScimIdParamsSchema },
    status: 200,
  }),
  scimBulk: scimRoute({
    method: 'POST',
    path: `${SCIM_BASE}/Bulk`,
    summary: `Up to ${MAX_BULK_OPERATIONS} operations on Users and Groups in one request, each answered on its own`,
    request: { body: ScimBulkSchema },
    status: 200,
  }),
  scimListUsers: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/Users`,
    summary: 'Users matching a filter, a page from startIndex',
    request: { query: ScimListQuerySchema },
    status: 200,
  }),
  scimSearchUsers: scimRoute({
    method: 'POST',
    path: `${SCIM_BASE}/Users/.search`,
    summary: 'Users matching a filter, a page from startIndex: the list, its query sent in the body',
    request: { body: ScimSearchSchema },
    status: 200,
  }),
  scimCreateUser: scimRoute({
    method: 'POST',
    path: `${SCIM_BASE}/Users`,
    summary: 'Add a user (active unless "active": false: Cognito mails the invitation)',
    request: { body: ScimUserSchema },
    headers: { idempotencyKey: true },
    status: 201,
  }),
  scimGetUser: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/Users/{id}`,
    summary: 'One user',
    request: { params: ScimIdParamsSchema, query: ScimReadQuerySchema },
    status: 200,
  }),
  scimReplaceUser: scimRoute({
    method: 'PUT',
    path: `${SCIM_BASE}/Users/{id}`,
    summary: 'Replace the attributes SCIM manages; active false deactivates, true activates',
    request: { params: ScimIdParamsSchema, body: ScimUserSchema },
    headers: { idempotencyKey: true },
    status: 200,
  }),
  scimPatchUser: scimRoute({
    method: 'PATCH',
    path: `${SCIM_BASE}/Users/{id}`,
    summary: 'Change some attributes (operations with a path, or a value object without one)',
    request: { params: ScimIdParamsSchema, body: ScimPatchSchema },
    headers: { idempotencyKey: true },
    status: 200,
  }),
  scimDeleteUser: scimRoute({
    method: 'DELETE',
    path: `${SCIM_BASE}/Users/{id}`,
    summary: 'Archive the user: sign-in off, gone from SCIM, kept in Gatehouse to restore',
    request: { params: ScimIdParamsSchema },
    headers: { idempotencyKey: true },
    status: 204,
  }),
  scimListGroups: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/Groups`,
    summary: "The tenant's roles as groups, their holders as members",
    request: { query: ScimListQuerySchema },
    status: 200,
  }),
  scimSearchGroups: scimRoute({
    method: 'POST',
    path: `${SCIM_BASE}/Groups/.search`,
    summary: 'Groups matching a filter: the list, its query sent in the body',
    request: { body: ScimSearchSchema },
    status: 200,
  }),
  scimCreateGroup: scimRoute({
    method: 'POST',
    path: `${SCIM_BASE}/Groups`,
    summary: 'Refused: groups are roles, added through the API (409 names an existing role of that name)',
    request: { body: ScimGroupSchema },
    status: 201,
  }),
  scimGetGroup: scimRoute({
    method: 'GET',
    path: `${SCIM_BASE}/Groups/{id}`,
    summary: 'One role as a group',
    request: { params: ScimIdParamsSchema, query: ScimReadQuerySchema },
    status: 200,
  }),
  scimReplaceGroup: scimRoute({
    method: 'PUT',
    path: `${SCIM_BASE}/Groups/{id}`,
    summary: "Set the role's holders to the members sent",
    request: { params: ScimIdParamsSchema, body: ScimGroupSchema },
    headers: { idempotencyKey: true },
    status: 200,
  }),
  scimPatchGroup: scimRoute({
    method: 'PATCH',
    path: `${SCIM_BASE}/Groups/{id}`,
    summary: 'Add and remove members: each one an edit of that user’s roles',
    request: { params: ScimIdParamsSchema, body: ScimPatchSchema },
    headers: { idempotencyKey: true },
    status: 200,
  }),
  scimDeleteGroup: scimRoute({
    method: 'DELETE',
    path: `${SCIM_BASE}/Groups/{id}`,
    summary: 'Refused: a role is deleted through the API',
    request: { params: ScimIdParamsSchema },
    status: 204,
  }),
} as const;

export type ScimRouteId = keyof typeof SCIM_ROUTES;

/** The one module that serves every SCIM route. */
export const SCIM_HANDLER_FILE = 'scim.ts';

/** The SDK clients the SCIM function uses besides DynamoDB's: its users' logins are Cognito's; it mails nothing. */
export const SCIM_CLIENTS = ['cognito'] as const satisfies ClientNeeds;
/**
 * The stores it uses besides every function's: both token stores (its callers' credentials), idempotency, the
 * user search (its filters and lists) and the user writes (its users' changes).
 */
export const SCIM_STORES = [
  'scimTokens',
  'scimClients',
  'idempotency',
  'search',
  'userWrites',
] as const satisfies StoreNeeds;
/** The directory's operations it sends: a user's creation, its activation and deactivation, its email's change. */
export const SCIM_DIRECTORY = [
  'createLogin',
  'undoCreateLogin',
  'enableLogin',
  'disableLogin',
  'resendInvitation',
  'changeEmail',
] as const satisfies DirectoryNeeds;
