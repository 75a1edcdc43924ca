// The SCIM function: every route of the SCIM table, authorised by a tenant's SCIM token, answered (errors
// included) in SCIM's format. The work itself runs through the same use cases, idempotency and clients as the API.
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { transientFault } from '#adapters/aws-faults.ts';
import { ApiEnvironmentSchema, readEnvironment } from '#adapters/environment.ts';
import { logger } from '#adapters/logger.ts';
import { createDeps, createTenantReader } from '#adapters/wiring.ts';
import type { RouteRequest } from '#api/routes.ts';
import {
  SCIM_CLIENTS,
  SCIM_DIRECTORY,
  SCIM_ROUTES,
  SCIM_STORES,
  type ScimRouteDefinition,
  type ScimRouteId,
} from '#api/scim-routes.ts';
import {
  DomainError,
  type FieldIssue,
  Forbidden,
  InvalidInput,
  Throttled,
  Unauthenticated,
  Unavailable,
} from '#domain/errors.ts';
import { ScimRefused, type ScimType } from '#domain/scim-filter.ts';
import { SCIM } from '#domain/scim-resources.ts';
import type { Actor } from '#domain/user.ts';
import type * as z from '#domain/zod.ts';
import { systemCaller } from '#services/changes.ts';
import { type Caller, type Deps, SCIM_TOKEN_TOUCH_MS, type TenantRegistry } from '#services/ports.ts';
import { scimClientActor, scimClientOf } from '#services/scim-clients.ts';
import { authenticateScimToken } from '#services/scim-tokens.ts';
import { answer, type Reply } from './api-handler.ts';
import { lowerCaseHeaders } from './headers.ts';
import { problemOf } from './problem.ts';
import { ifMatch, parseRequest } from './request.ts';
import {
  createScimAccessTokenVerifier,
  looksLikeJwt,
  type ScimAccessTokenVerifier,
} from './scim-access-token.ts';

type Parsed<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

export interface ScimInput<Req extends RouteRequest> {
  params: Parsed<Req['params']>;
  query: Parsed<Req['query']>;
  body: Parsed<Req['body']>;
  /** The version from an If-Match header, when one was sent (SCIM makes it optional). */
  ifMatch: number | undefined;
  caller: Caller;
  deps: Deps;
  /** The tenant's SCIM URL as the directory reached it, for `meta.location`. */
  base: string;
  /** The request itself (what a failing operation of a bulk request is logged with). */
  event: APIGatewayProxyEvent;
}

export interface ScimImplementation<Req extends RouteRequest, Result> {
  run(input: ScimInput<Req>): Promise<Result>;
  reply(result: Result, input: { base: string; query: Parsed<Req['query']> }): Reply;
}

export type ScimImplementations = {
  [K in ScimRouteId]: ScimImplementation<(typeof SCIM_ROUTES)[K]['request'], never>;
};

export const SCIM_CONTENT_TYPE = 'application/scim+json';

interface Shared {
  deps: Deps;
  registry: TenantRegistry;
  accessTokens: ScimAccessTokenVerifier;
}

let shared: Shared | undefined;

/** Built once per function instance; nothing per tenant: the token names its tenant, the registry has it. */
function start(): Shared {
  if (!shared) {
    const env = readEnvironment(ApiEnvironmentSchema);
    const registry = createTenantReader(env, env.TENANT_CACHE_SECONDS);
    shared = {
      deps: createDeps(env, { clients: SCIM_CLIENTS, stores: SCIM_STORES, directory: SCIM_DIRECTORY }),
      registry,
      accessTokens: createScimAccessTokenVerifier(registry),
    };
  }
  return shared;
}

/** A route's implementation, typed by its route: the table below is checked against the route table. */
export const scimImplementation = <Id extends ScimRouteId, Result>(
  _id: Id,
  implementation: ScimImplementation<(typeof SCIM_ROUTES)[Id]['request'], Result>,
) => implementation as unknown as ScimImplementation<(typeof SCIM_ROUTES)[Id]['request'], never>;

export function scimHandler(implementations: ScimImplementations) {
  const services = start();
  const { deps } = services;
  const byResource = new Map(
    (Object.entries(SCIM_ROUTES) as [ScimRouteId, ScimRouteDefinition][]).map(([id, route]) => [
      `${route.method} ${route.path}`,
      id,
    ]),
  );

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(lowerCaseHeaders)
    .use({
      onError: async (request) => {
        request.response = scimErrorResponse(request.error, request.event);
      },
    })
    .handler(async (event) => {
      const requestId = event.requestContext.requestId;
      // Per-request keys start afresh: an error before the tenant is known must not carry the last one's.
      logger.resetKeys();
      logger.appendKeys({ requestId });
      const id = byResource.get(`${event.httpMethod} ${event.resource}`);
      if (!id)
        throw new ScimRefused(400, undefined, `${event.httpMethod} ${event.resource} is not a SCIM route.`);
      const route: ScimRouteDefinition = SCIM_ROUTES[id];
      const caller = await authenticate(event, services, requestId);
      logger.appendKeys({ tenant: caller.tenant.id });
      const { idempotencyKey, params, query, body } = parseRequest(route, event);
      const issues: FieldIssue[] = [];
      const header = event.headers['if-match'];
      const version = header === undefined || header.trim() === '*' ? undefined : ifMatch(header, issues);
      if (issues.length > 0) throw new InvalidInput(issues);
      const base = baseUrl(event);
      const implementation = implementations[id] as unknown as ScimImplementation<RouteRequest, unknown>;
      const input = { params, query, body, ifMatch: version, deps, base, event } as Omit<
        ScimInput<RouteRequest>,
        'caller'
      >;
      const result = await answer(
        deps,
        caller,
        idempotencyKey,
        event,
        (withLease) => implementation.run({ ...input, caller: withLease }),
        (value) => implementation.reply(value, { base, query: query as never }),
      );
      if (result.headers?.['content-type']) result.headers['content-type'] = SCIM_CONTENT_TYPE;
      return result;
    });
}

/**
 * The bearer token is either a SCIM token of a tenant of the registry (its record holds the hash of its
 * secret), or an OAuth access token a SCIM client took from its tenant's pool (client-credentials grant, the
 * SCIM scope), whose client must be a SCIM client of that same tenant, not revoked. The caller is that
 * tenant's SCIM client, acting tenant-wide, whose changes history names. A retired tenant's token is refused
 * (403, as the API refuses its users' tokens) before any user of it is read.
 */
async function authenticate(
  event: APIGatewayProxyEvent,
  services: Shared,
  requestId: string,
): Promise<Caller> {
  const { deps } = services;
  const bearer = /^Bearer\s+(\S+)$/i.exec(event.headers.authorization ?? '')?.[1];
  if (!bearer) {
    throw new Unauthenticated(
      'Send a SCIM token of the tenant, or an access token of its SCIM OAuth client, as "Authorization: Bearer <token>".',
    );
  }
  const found = looksLikeJwt(bearer)
    ? await oauthClientOf(services, bearer)
    : await scimTokenOf(services, bearer);
  if (!found) throw new Unauthenticated('The SCIM token or access token is not valid, or has been revoked.');
  const { tenant, record, store, actor } = found;
  if (tenant.status !== 'active') throw new Forbidden('Your organisation’s access has been retired.');
  // The last use is written at most every few minutes: a directory's burst of requests costs one write.
  const now = deps.now();
  const last = record.lastUsedAt ? Date.parse(record.lastUsedAt) : 0;
  if (now.getTime() - last > SCIM_TOKEN_TOUCH_MS) {
    await store
      .touch(tenant.id, record.id, now.toISOString())
      .catch((e: unknown) => logger.warn('SCIM credential use not recorded', { error: e as Error }));
  }
  return systemCaller(tenant, actor, requestId);
}

/** The tenant and token a SCIM token proves, or undefined. */
async function scimTokenOf({ deps, registry }: Shared, bearer: string) {
  const match = await authenticateScimToken(deps, bearer, (tenantId) => registry.byId(tenantId));
  if (!match) return undefined;
  const actor: Actor = { id: `scim:${match.token.id}`, name: `SCIM: ${match.token.name}` };
  return { tenant: match.tenant, record: match.token, store: deps.scimTokens, actor };
}

/** The tenant and SCIM client an access token proves, or undefined: any token not verified, or not a live client's. */
async function oauthClientOf({ deps, accessTokens }: Shared, bearer: string) {
  const verified = await accessTokens.verify(bearer).catch(() => undefined);
  if (!verified) return undefined;
  // The client must be one of this tenant's SCIM clients, read under the tenant the issuer named: another
  // tenant's client, a revoked one, or any other app client of the pool is refused.
  const client = await scimClientOf(deps, verified.tenant, verified.clientId);
  if (!client) return undefined;
  return { tenant: verified.tenant, record: client, store: deps.scimClients, actor: scimClientActor(client) };
}

/** `https://<host>/<stage>/scim/v2`, as the directory called it (API Gateway's requestContext.path has the stage). */
function baseUrl(event: APIGatewayProxyEvent): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  const host = event.headers.host ?? event.requestContext.domainName ?? 'localhost';
  const full = event.requestContext.path ?? event.path;
  const prefix = full.endsWith(event.path) ? full.slice(0, full.length - event.path.length) : '';
  return `${proto}://${host}${prefix}/scim/v2`;
}

// ── Errors in SCIM's format (RFC 7644 §3.12) ─────────────────────────────────────────────────────────

const SCIM_TYPES: Partial<Record<string, ScimType>> = { EmailTaken: 'uniqueness' };

export function scimError(status: number, detail: string, scimType?: ScimType): Reply {
  return {
    status,
    body: { schemas: [SCIM.error], status: String(status), ...(scimType ? { scimType } : {}), detail },
  };
}

/** An error as SCIM answers it (status, SCIM error body), with the headers it calls for. */
export function scimErrorReply(error: unknown, event: APIGatewayProxyEvent): Reply {
  let reply: Reply;
  // Throttling and lost transaction races are the directory's to retry (429, or 503 for a service's own fault).
  const known = error instanceof DomainError ? error : transientFault(error);
  if (known && known !== error) logger.warn('Transient AWS fault', { error: error as Error });
  if (known instanceof ScimRefused) {
    reply = scimError(known.status, known.message, known.scimType);
  } else if (known instanceof InvalidInput) {
    reply = scimError(
      400,
      known.issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      invalidKind(known.issues),
    );
  } else if (known) {
    const problem = problemOf(known);
    // A tenant's user with the email exists already: SCIM's 409 `uniqueness`.
    reply = scimError(problem.status, problem.detail ?? problem.title, SCIM_TYPES[known.code]);
  } else {
    logger.error('Unhandled error', { error: error as Error, path: event.path, method: event.httpMethod });
    reply = scimError(500, 'Something went wrong on our side; the request may be retried.');
  }
  return {
    ...reply,
    headers: {
      ...(reply.status === 401 ? { 'www-authenticate': 'Bearer realm="SCIM"' } : {}),
      ...(known instanceof Throttled || known instanceof Unavailable
        ? { 'retry-after': String(known.retryAfterSeconds) }
        : {}),
    },
  };
}

function scimErrorResponse(error: unknown, event: APIGatewayProxyEvent): APIGatewayProxyResult {
  const reply = scimErrorReply(error, event);
  return {
    statusCode: reply.status,
    headers: { 'content-type': SCIM_CONTENT_TYPE, ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}

/** A bad filter is `invalidFilter`; a body that is no JSON `invalidSyntax`; anything else `invalidValue`. */
function invalidKind(issues: readonly FieldIssue[]): ScimType {
  if (issues.some((i) => i.field === 'query.filter')) return 'invalidFilter';
  if (issues.some((i) => i.field === 'body' || i.message === 'is not a known field')) return 'invalidSyntax';
  return 'invalidValue';
}
