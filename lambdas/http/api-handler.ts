// The middy bundle every route handler is made of: headers, problem+json errors, authorisation, input.
import { createHash } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { transientFault } from '#adapters/aws-faults.ts';
import type { RoleCatalogues } from '#adapters/dynamo-role-store.ts';
import { type ApiEnvironment, ApiEnvironmentSchema, readEnvironment } from '#adapters/environment.ts';
import { logger } from '#adapters/logger.ts';
import { createDeps, createTenantReader, type Needs } from '#adapters/wiring.ts';
import { type RouteDefinition, type RouteRequest, storesOf } from '#api/routes.ts';
import { accessOf, NOWHERE } from '#domain/access.ts';
import { DomainError, Forbidden, Throttled, Unauthenticated, Unavailable } from '#domain/errors.ts';
import { displayName, type User } from '#domain/user.ts';
import type * as z from '#domain/zod.ts';
import type { JobDeps } from '#services/jobs.ts';
import type { Caller, Deps } from '#services/ports.ts';
import { type Paging, paginates } from './cursors.ts';
import { lowerCaseHeaders } from './headers.ts';
import { INTERNAL_PROBLEM, type Problem, problemOf } from './problem.ts';
import { parseRequest } from './request.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

type Parsed<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

export interface RouteInput<Req extends RouteRequest> {
  params: Parsed<Req['params']>;
  query: Parsed<Req['query']>;
  body: Parsed<Req['body']>;
  /** The version from If-Match, on routes that require it. */
  version: number;
  caller: Caller;
  /** The caller's current profile, as read for this request's authorisation. */
  self: User;
  deps: JobDeps;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A route's work and how its result is answered, apart: a retry under an Idempotency-Key is answered from
 * the stored result of the first attempt by the same `reply`.
 */
export interface RouteImplementation<Req extends RouteRequest, Result> {
  run(input: RouteInput<Req>): Promise<Result>;
  reply(result: Result): Reply;
}

let shared: { env: ApiEnvironment; tokens: TokenVerifier } | undefined;
/** The ports per set of declared clients, stores and directory operations: one in a deployed function; the offline server serves every route. */
const depsByNeeds = new Map<string, JobDeps>();
/** The role catalogues this instance keeps, whatever set's role store reads them. */
const roleCatalogues: RoleCatalogues = new Map();

/** Built once per function instance, at start-up: a bad environment fails the cold start, not a request. */
function start(needs: Needs) {
  if (!shared) {
    const env = readEnvironment(ApiEnvironmentSchema);
    const registry = createTenantReader(env, env.TENANT_CACHE_SECONDS);
    shared = { env, tokens: createTokenVerifier(registry) };
  }
  const key = [needs.clients, needs.stores, needs.directory].map((names) => [...names].sort()).join('/');
  let deps = depsByNeeds.get(key);
  if (!deps) {
    // Where one process serves routes of several sets (offline, the tests), they share one instance's role
    // catalogues, as a deployed function's requests do; every port is the set's own (the user store's search and
    // writes, the role store's writes are there only where declared), so none is taken from another set.
    deps = createDeps(shared.env, needs, { roleCatalogues });
    depsByNeeds.set(key, deps);
  }
  return { ...shared, deps };
}

/** A paginated route's cursors (`paging` in ./cursors.ts); passed by its handler, so no other bundle carries them. */
export type PagingFrom = (env: ApiEnvironment) => Paging;

/** A route that does not paginate takes no cursor (its query schema has none) and hands none out. */
const NO_PAGING: Paging = { open: async (request) => request, seal: async (reply) => reply };

export function apiHandler<Req extends RouteRequest, Result>(
  route: RouteDefinition<Req>,
  implementation: RouteImplementation<Req, Result>,
  pagingFrom?: PagingFrom,
) {
  const { env, deps, tokens } = start({
    clients: route.clients,
    stores: storesOf(route),
    directory: route.directory ?? [],
  });
  if (
    paginates(route) !== (pagingFrom !== undefined) ||
    paginates(route) !== route.clients.includes('secrets')
  ) {
    throw new Error(
      `${route.method} ${route.path}: a paginated route, and only one, takes paging (its cursor keys) and declares Secrets Manager's client`,
    );
  }
  const cursors = pagingFrom ? pagingFrom(env) : NO_PAGING;

  // The admin console calls from its own origin: every answer, problems included, says it may read it.
  const consoleOrigin = env.CONSOLE_ORIGIN;
  const allowConsole = async (request: { response: APIGatewayProxyResult | null }) => {
    if (consoleOrigin && request.response) {
      request.response.headers = {
        ...request.response.headers,
        'access-control-allow-origin': consoleOrigin,
        vary: 'Origin',
      };
    }
  };

  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
      // First in, so last out: it sees the final response, the problem+json of an error included.
      .use({ after: allowConsole, onError: allowConsole })
      .use(lowerCaseHeaders)
      .use({
        onError: async (request) => {
          request.response = problemResponse(request.error, request.event);
        },
      })
      .handler(async (event) => {
        const requestId = event.requestContext.requestId;
        // Per-request keys start afresh: an error in authorisation must not carry the last request's tenant.
        logger.resetKeys();
        logger.appendKeys({ requestId });
        const { caller, self } = await authorise(route, event, tokens, deps, requestId);
        logger.appendKeys({ tenant: caller.tenant.id });
        const parsed = parseRequest(route, event);
        const pages = { tenantId: caller.tenant.id, route, ...parsed, reach: caller.reach };
        const { idempotencyKey, ...input } = await cursors.open(parsed, pages);
        const run = (callerWithLease: Caller) =>
          implementation.run({
            ...(input as Omit<RouteInput<Req>, 'caller' | 'self' | 'deps'>),
            caller: callerWithLease,
            self,
            deps,
          });
        if (!idempotencyKey)
          return toResult(await cursors.seal(implementation.reply(await run(caller)), pages));
        return answer(deps, caller, idempotencyKey, event, run, implementation.reply);
      })
  );
}

/**
 * Runs a route's work and answers it; under an Idempotency-Key, a retry is answered from the first attempt's
 * stored result, and a failed attempt lets go of the key. (The SCIM function answers through it too.)
 */
export async function answer<Result>(
  deps: Deps,
  caller: Caller,
  idempotencyKey: string | undefined,
  event: APIGatewayProxyEvent,
  run: (caller: Caller) => Promise<Result>,
  reply: (result: Result) => Reply,
): Promise<APIGatewayProxyResult> {
  if (!idempotencyKey) return toResult(reply(await run(caller)));
  const begun = await deps.idempotency.begin(
    { tenantId: caller.tenant.id, callerId: caller.actor.id, key: idempotencyKey },
    fingerprint(event),
  );
  if (begun.state === 'completed') {
    return toResult(reply(begun.result as Result), { 'idempotent-replayed': 'true' });
  }
  try {
    return toResult(reply(await run({ ...caller, idempotency: begun.lease })));
  } catch (error) {
    // A failed attempt lets go of the key at once, so the retry resumes rather than waits out the lease.
    await deps.idempotency
      .release(begun.lease)
      .catch((e: unknown) => logger.warn('Lease not released', { error: e as Error }));
    throw error;
  }
}

function toResult(reply: Reply, extra: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: reply.status,
    headers: {
      ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...reply.headers,
      ...extra,
    },
    body: reply.body === undefined ? '' : JSON.stringify(reply.body),
  };
}

/** The same key must come with the same request: route, path parameters and body. */
function fingerprint(event: APIGatewayProxyEvent): string {
  return createHash('sha256')
    .update(JSON.stringify([event.httpMethod, event.resource, event.pathParameters, event.body ?? '']))
    .digest('base64url');
}

/**
 * Authorises against the caller's current profile, read now (DESIGN rule 2): a deactivated, archived
 * or deleted user is refused at once, whatever their token says.
 */
async function authorise(
  route: RouteDefinition,
  event: APIGatewayProxyEvent,
  tokens: TokenVerifier,
  deps: Deps,
  requestId: string,
): Promise<{ caller: Caller; self: User }> {
  const header = event.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new Unauthenticated('Send a Cognito ID token as "Authorization: Bearer <token>".');
  const token = await tokens.verify(match[1]).catch(() => {
    throw new Unauthenticated('The token is invalid or has expired.');
  });
  // A retired tenant is refused before anything of its data is read.
  if (token.tenant.status !== 'active') throw new Forbidden('Your organisation’s access has been retired.');
  const self = await deps.users.get(token.tenant.id, token.userId);
  if (!self || self.cognitoSub !== token.sub) throw new Unauthenticated('The token’s user no longer exists.');
  if (self.status !== 'active') throw new Forbidden(`Your account is ${self.status}.`);
  // What the caller's roles grant comes from the tenant's catalogue (kept briefly per instance).
  const access = accessOf(self.roles, await deps.roles.catalogue(token.tenant.id));
  if (route.permission && !access.has(route.permission)) {
    throw new Forbidden(`This needs the permission ${route.permission}.`);
  }
  return {
    caller: {
      tenant: token.tenant,
      actor: { id: self.id, name: displayName(self) },
      requestId,
      access,
      reach: route.permission ? access.reach(route.permission) : NOWHERE,
    },
    self,
  };
}

function problemResponse(error: unknown, event: APIGatewayProxyEvent): APIGatewayProxyResult {
  let problem: Problem;
  // Throttling and lost transaction races are the caller's to retry (429, or 503 for a service's own fault).
  const known = error instanceof DomainError ? error : transientFault(error);
  if (known) {
    if (known !== error) logger.warn('Transient AWS fault', { error: error as Error });
    problem = problemOf(known);
  } else {
    logger.error('Unhandled error', { error: error as Error, path: event.path, method: event.httpMethod });
    problem = INTERNAL_PROBLEM;
  }
  return {
    statusCode: problem.status,
    headers: {
      'content-type': 'application/problem+json',
      ...(problem.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
      ...(known instanceof Throttled || known instanceof Unavailable
        ? { 'retry-after': String(known.retryAfterSeconds) }
        : {}),
    },
    body: JSON.stringify(problem),
  };
}
