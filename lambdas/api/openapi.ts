// The OpenAPI 3.1 document of the HTTP API, generated from the route table and its zod schemas: never written by hand.
import { z } from 'zod';
import {
  type DomainError,
  Forbidden,
  IdempotencyKeyReused,
  InvalidInput,
  InvalidTransition,
  PreconditionRequired,
  Throttled,
  Unauthenticated,
  Unavailable,
  UserNotFound,
  VersionConflict,
} from '#domain/errors.ts';
import { INTERNAL_PROBLEM, type Problem, problemOf } from '#http/problem.ts';
import packageJson from '../../package.json' with { type: 'json' };
import { RESPONSES } from './route-responses.ts';
import { ROUTES, type RouteDefinition, type RouteId } from './routes.ts';
import * as schemas from './schemas.ts';
import { SCIM_ROUTES, ScimBulkSchema, type ScimRouteDefinition, ScimSearchSchema } from './scim-routes.ts';

export type JsonSchema = { [keyword: string]: unknown };

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaType {
  schema: JsonSchema;
  examples?: Record<string, { summary?: string; value: unknown }>;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description: string; required?: boolean; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId: string;
  /** Only on SCIM operations: they take the tenant's SCIM token rather than the document's default. */
  security?: Record<string, string[]>[];
  summary: string;
  description: string;
  tags: string[];
  'x-permission': string | null;
  parameters?: Parameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject | { $ref: string }>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: Record<string, unknown>;
  servers: Record<string, unknown>[];
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

const TARGET = 'draft-2020-12';
const JSON_TYPE = 'application/json';
const PROBLEM_TYPE = 'application/problem+json';
const SCHEMA_REF = '#/components/schemas/';
const SECURITY_SCHEME = 'cognitoIdToken';

/** Strings the server trims before it checks them are documented without surrounding whitespace. */
export const TRIMMED_PATTERN = '^(?:\\S(?:[\\s\\S]*\\S)?)?$';
/** Entity tags as the API writes them (`"3"`) and reads them in If-Match (also weak, `W/"3"`). */
const ETAG_PATTERN = '^(?:W/)?"[0-9]{1,15}"$';

const TAGS: Record<string, string> = {
  scim: "SCIM 2.0 (RFC 7643, RFC 7644) for the customer's directory: Users and Groups (roles), with a SCIM token.",
  'scim-tokens':
    "The tokens a tenant's directory provisions users with: created, listed and revoked by an administrator.",
  users: "The tenant's users: add, read, list, edit, their lifecycle, passwords and history.",
  history: 'Who changed what in the tenant, and when.',
  me: 'The signed-in caller.',
};

/**
 * The problem+json answers, and which routes give them, derived from each route's shape in one place:
 * every route authenticates, authorises and parses its input strictly; a path parameter names something
 * that may not exist; a write may conflict with the current state or lose a race; the headers a route
 * takes bring their own answers.
 */
const PROBLEMS: {
  status: number;
  name: string;
  description: string;
  example: DomainError | Problem;
  when: (route: RouteDefinition) => boolean;
}[] = [
  {
    status: 400,
    name: 'BadRequest',
    description:
      'The request breaks this document: `errors` names each bad field (`body.email`, `query.limit`, ' +
      '`params.userId`, `headers.if-match`; `body` for a body that is not JSON). Unknown body fields and ' +
      'query parameters are refused too. Nothing was changed.',
    example: new InvalidInput([{ field: 'body.email', message: 'Invalid email address' }]),
    when: () => true,
  },
  {
    status: 401,
    name: 'Unauthorized',
    description: 'No token, or not a valid Cognito ID token of a Gatehouse user.',
    example: new Unauthenticated('Send a Cognito ID token as "Authorization: Bearer <token>".'),
    when: () => true,
  },
  {
    status: 403,
    name: 'Forbidden',
    description: "The caller's current roles lack the permission, or their account is no longer active.",
    example: new Forbidden('This needs the permission users.read.'),
    when: () => true,
  },
  {
    status: 404,
    name: 'NotFound',
    description: "No such user in the caller's tenant (a user of another tenant answers the same).",
    example: new UserNotFound(),
    when: (route) => pathParameters(route.path).length > 0,
  },
  {
    status: 409,
    name: 'Conflict',
    description:
      "Not possible in the current state: the email is taken, the user's status does not allow it (the " +
      'detail names it), the last administrator would go, or a request with this Idempotency-Key is still ' +
      'in progress.',
    example: new InvalidTransition('activate', 'invited'),
    when: (route) => isWrite(route),
  },
  {
    status: 412,
    name: 'PreconditionFailed',
    description:
      'Changed by someone else meanwhile (If-Match is stale, or a concurrent write won): read again.',
    example: new VersionConflict(),
    when: (route) => (isWrite(route) && pathParameters(route.path).length > 0) || !!route.headers?.ifMatch,
  },
  {
    status: 422,
    name: 'IdempotencyKeyReused',
    description: 'The Idempotency-Key came with a different request before; use a new key for a new request.',
    example: new IdempotencyKeyReused(),
    when: (route) => !!route.headers?.idempotencyKey,
  },
  {
    status: 428,
    name: 'PreconditionRequired',
    description:
      'If-Match is missing: send the ETag of your last read, so no one else’s change is overwritten.',
    example: new PreconditionRequired(),
    when: (route) => !!route.headers?.ifMatch,
  },
  {
    status: 413,
    name: 'ContentTooLarge',
    description:
      'The request is over 1 MB (offline; API Gateway’s own limit in AWS): refused before any handler runs. ' +
      'A JSON body a handler reads may be at most 100 KB (a 400 naming `body` beyond that).',
    example: {
      type: 'about:blank',
      title: 'Request too large',
      status: 413,
      detail: 'The body must be at most 1 MB.',
    },
    when: () => true,
  },
  {
    status: 429,
    name: 'TooManyRequests',
    description:
      'Too many requests: the stage’s throttling, AWS throttling Gatehouse’s own calls, or a transaction that ' +
      'lost a race with another. Nothing was changed; retry after `Retry-After` seconds.',
    example: new Throttled(1),
    when: () => true,
  },
  {
    status: 431,
    name: 'HeadersTooLarge',
    description:
      'The request’s headers are over the server’s limit (16 KB offline): refused before any handler runs.',
    example: {
      type: 'about:blank',
      title: 'Request header fields too large',
      status: 431,
      detail: 'The request headers must be at most 16 KB.',
    },
    when: () => true,
  },
  {
    status: 500,
    name: 'InternalError',
    description:
      'Something failed on our side; the body says nothing about internals. The request may be retried ' +
      '(with the same Idempotency-Key, where the route takes one).',
    example: INTERNAL_PROBLEM,
    when: () => true,
  },
  {
    status: 503,
    name: 'ServiceUnavailable',
    description:
      'An AWS service Gatehouse depends on failed. Nothing of the request is half-done that a retry (after ' +
      '`Retry-After` seconds, with the same Idempotency-Key where the route takes one) would not finish.',
    example: new Unavailable(2),
    when: () => true,
  },
];

const SUCCESS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the mail is on its way',
  204: 'Done; no content',
};

const isWrite = (route: RouteDefinition) => route.method !== 'GET';

function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

/** The document, from the route table as it is now. */
export function openApiDocument(): OpenApiDocument {
  const routes = Object.entries(ROUTES) as [string, RouteDefinition][];
  const names = schemaNames();
  const inputs = new Map<z.core.$ZodType, string>();
  const outputs = new Map<z.core.$ZodType, string>([[schemas.ProblemSchema, 'Problem']]);
  for (const [id, route] of routes) {
    if (route.request.body)
      inputs.set(route.request.body, names.get(route.request.body) ?? pascal(`${id}Body`));
    for (const [status, body] of Object.entries(RESPONSES[id as RouteId])) {
      if (body) outputs.set(body, names.get(body) ?? pascal(`${id}Response${status}`));
    }
  }
  // A schema both sent and answered may differ between the two (defaults, transforms): it gets two names.
  for (const [schema, name] of inputs) if (outputs.has(schema)) inputs.set(schema, `${name}Input`);
  const components = { ...convertAll(outputs, 'output'), ...convertAll(inputs, 'input') };

  const paths: OpenApiDocument['paths'] = {};
  const problems = new Set<number>();
  for (const [id, route] of routes) {
    const operation = toOperation(id, route, inputs, outputs, components);
    for (const problem of PROBLEMS) if (problem.when(route)) problems.add(problem.status);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }

  Object.assign(components, scimComponents());
  for (const [id, route] of Object.entries(SCIM_ROUTES) as [string, ScimRouteDefinition][]) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: scimOperation(id, route) };
  }

  const tags = [...new Set([...routes.map(([, route]) => tagOf(route)), SCIM_TAG])].sort();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse API',
      version: packageJson.version,
      summary: "Manage a tenant's users: Cognito logins, profiles, roles, lifecycle and history.",
      description: INFO_DESCRIPTION,
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'Deployed with `cdk deploy`: the API URL from its output.',
        variables: {
          apiId: { default: 'abcdef1234', description: "The REST API's id." },
          region: { default: 'eu-west-1', description: 'The AWS region it is deployed in.' },
          stage: { default: 'prod', description: 'The API stage.' },
        },
      },
      { url: 'http://127.0.0.1:3000', description: 'Offline, with `npm start`.' },
    ],
    security: [{ [SECURITY_SCHEME]: [] }],
    tags: tags.map((name) => ({ name, description: TAGS[name] ?? `Routes under /${name}.` })),
    paths,
    components: {
      schemas: components,
      responses: Object.fromEntries(
        PROBLEMS.filter((p) => problems.has(p.status)).map((p) => [p.name, problemResponse(p)]),
      ),
      securitySchemes: {
        [SCIM_SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A SCIM token of the tenant (POST /scim-tokens), for its directory: the token names the tenant, never the path.',
        },
        [SCIM_ACCESS_TOKEN_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "An access token of the tenant's SCIM OAuth client (POST /scim-clients): the client-credentials grant at the tenant pool's token URL (`tokenUrl`, one per tenant: https://<pool domain>/oauth2/token), scope gatehouse/scim. The token's issuer names the tenant.",
        },
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "A Cognito ID token from the tenant's app client. The tenant is the token's issuer (its user " +
            'pool), never anything in the request; the caller must be an active user of it.',
        },
      },
    },
  };
}

const INFO_DESCRIPTION = `Every route needs a Cognito ID token of an active user of the tenant, and the permission it names.

**Errors** are \`application/problem+json\` (RFC 9457). Bad input is a 400 whose \`errors\` name each bad field, and
changes nothing. A user of another tenant answers 404, exactly like one that does not exist.

**Versions:** a user is answered with its version as \`ETag\`; routes that edit it require that ETag back as
\`If-Match\` (412 when someone else changed it meanwhile, 428 when it is missing).

**Retries:** the writes that list an \`Idempotency-Key\` header take one, optionally: a retry with the same key
gets the first result (marked \`Idempotent-Replayed: true\`) instead of doing the work twice.

**Pagination:** lists answer \`{ items, next }\`; pass \`next\` as \`cursor\` for the following page, until \`next\`
is absent. \`limit\` sets the page size.`;

function toOperation(
  id: string,
  route: RouteDefinition,
  inputs: Map<z.core.$ZodType, string>,
  outputs: Map<z.core.$ZodType, string>,
  components: Record<string, JsonSchema>,
): Operation {
  const parameters = [
    ...objectParameters(route.request.params, 'path'),
    ...objectParameters(route.request.query, 'query'),
    ...headerParameters(route),
  ];
  const missing = pathParameters(route.path).filter((name) => !parameters.some((p) => p.name === name));
  if (missing.length > 0)
    throw new Error(`${id}: ${route.path} has no params schema for ${missing.join(', ')}`);

  const responses: Operation['responses'] = {};
  for (const [status, body] of Object.entries(RESPONSES[id as RouteId])) {
    const name = body ? (outputs.get(body) as string) : undefined;
    responses[status] = successResponse(route, Number(status), name, name ? components[name] : undefined);
  }
  for (const problem of PROBLEMS) {
    if (problem.when(route)) responses[problem.status] = { $ref: `#/components/responses/${problem.name}` };
  }

  const body = route.request.body;
  const paginated = parameters.some((p) => p.name === 'cursor' && p.in === 'query');
  return {
    operationId: id,
    summary: route.summary,
    description: [
      route.permission ? `Needs the permission \`${route.permission}\`.` : 'Any active user of the tenant.',
      ...(paginated ? ['Paginated: pass the answer’s `next` as `cursor` for the following page.'] : []),
    ].join(' '),
    tags: [tagOf(route)],
    'x-permission': route.permission,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.file
      ? {
          requestBody: {
            required: true,
            description: route.file.description,
            content: Object.fromEntries(
              route.file.mediaTypes.map((type, i) => [
                type,
                { schema: { type: 'string' }, ...(i === 0 ? { example: route.file?.example } : {}) },
              ]),
            ),
          },
        }
      : {}),
    ...(body
      ? {
          requestBody: {
            // Optional when the schema itself takes "no body".
            required: !body.safeParse(undefined).success,
            content: { [JSON_TYPE]: { schema: { $ref: SCHEMA_REF + inputs.get(body) } } },
          },
        }
      : {}),
    responses,
  };
}

function successResponse(
  route: RouteDefinition,
  status: number,
  name?: string,
  schema?: JsonSchema,
): ResponseObject {
  const headers: NonNullable<ResponseObject['headers']> = {};
  // Whatever carries a version is answered with it as the ETag (see replies.ts), for If-Match.
  if ((schema?.properties as JsonSchema | undefined)?.version) {
    headers.ETag = {
      description: 'The version, for `If-Match` on the next change.',
      required: true,
      schema: { type: 'string', pattern: ETAG_PATTERN, examples: ['"3"'] },
    };
  }
  if (route.location?.status === status) {
    headers.Location = {
      description: route.location.description,
      required: true,
      schema: { type: 'string' },
    };
  }
  if (route.headers?.idempotencyKey) {
    headers['Idempotent-Replayed'] = {
      description: 'Present (`true`) when this is the stored answer to an earlier request with the same key.',
      schema: { type: 'string', enum: ['true'] },
    };
  }
  return {
    description: SUCCESS[status] ?? `Status ${status}`,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(name ? { content: { [JSON_TYPE]: { schema: { $ref: SCHEMA_REF + name } } } } : {}),
  };
}

function problemResponse(problem: (typeof PROBLEMS)[number]): ResponseObject {
  const value = 'code' in problem.example ? problemOf(problem.example) : problem.example;
  return {
    description: problem.description,
    ...(problem.status === 429 || problem.status === 503
      ? {
          headers: {
            'Retry-After': {
              description: 'Seconds to wait before retrying.',
              schema: { type: 'string', pattern: '^[0-9]+$' },
            },
          },
        }
      : {}),
    ...(problem.status === 401
      ? {
          headers: {
            'WWW-Authenticate': {
              description: 'The scheme to authenticate with.',
              required: true,
              schema: { type: 'string', enum: ['Bearer'] },
            },
          },
        }
      : {}),
    content: {
      [PROBLEM_TYPE]: { schema: { $ref: `${SCHEMA_REF}Problem` }, examples: { problem: { value } } },
    },
  };
}

/** Path or query parameters: one per property of the route's (object) schema, as clients send them. */
function objectParameters(schema: z.core.$ZodType | undefined, where: 'path' | 'query'): Parameter[] {
  if (!schema) return [];
  const json = toJsonSchema(schema, 'input');
  if (json.type !== 'object' || !json.properties) throw new Error(`${where} schemas must be objects`);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(json.properties as Record<string, JsonSchema>).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : conventional(name)),
      schema: rest,
    };
  });
}

/** What the pagination parameters mean, wherever a route takes them without saying. */
function conventional(name: string): { description?: string } {
  if (name === 'cursor')
    return { description: 'The `next` of the previous page, as it was; any other value is refused.' };
  if (name === 'limit') return { description: 'Items per page.' };
  return {};
}

function headerParameters(route: RouteDefinition): Parameter[] {
  const parameters: Parameter[] = [];
  if (route.headers?.ifMatch) {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: true,
      description:
        'The ETag of your last read of the user: the change applies only to that version (412 otherwise; 428 when missing).',
      schema: { type: 'string', pattern: ETAG_PATTERN, examples: ['"3"'] },
    });
  }
  if (route.headers?.idempotencyKey) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'A key of your choice (e.g. a UUID) for this request: a retry with the same key gets the first result ' +
        'rather than doing the work twice; the same key with a different request is refused (422).',
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        pattern: '^[!-~]{1,255}$',
        examples: ['5f0c7c1e-8d3b-4a7e-9b1a-2f6c9d8e7a10'],
      },
    });
  }
  return parameters;
}

const tagOf = (route: RouteDefinition) => route.path.split('/')[1] ?? 'api';

/** Component names: a schema exported from schemas.ts as `XSchema` is `X`. */
function schemaNames(): Map<unknown, string> {
  return new Map(
    Object.entries(schemas)
      .filter(([name, value]) => name.endsWith('Schema') && value instanceof z.core.$ZodType)
      .map(([name, value]) => [value, name.slice(0, -'Schema'.length)]),
  );
}

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

function convertAll(named: Map<z.core.$ZodType, string>, io: 'input' | 'output'): Record<string, JsonSchema> {
  if (named.size === 0) return {};
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const { schemas: converted } = z.toJSONSchema(registry, {
    io,
    target: TARGET,
    uri: (id) => SCHEMA_REF + id,
    override,
  }) as { schemas: Record<string, JsonSchema> };
  if ('__shared' in converted)
    throw new Error('Shared definitions are not supported: register the schema by name');
  return Object.fromEntries(
    [...named].map(([zodSchema, id]) => {
      const { $schema: _dialect, $id: _id, ...schema } = converted[id] as JsonSchema;
      return [id, { ...schema, ...inputExamples(zodSchema, io, schema) }];
    }),
  );
}

/**
 * zod drops the examples of a schema that transforms (e.g. lower-cases the email) when it documents
 * the input, as they might show the output. Ours are requests clients may send: kept, once they parse.
 */
function inputExamples(schema: z.core.$ZodType, io: 'input' | 'output', json: JsonSchema): JsonSchema {
  const examples = z.globalRegistry.get(schema)?.examples;
  if (io !== 'input' || json.examples || !Array.isArray(examples)) return {};
  for (const example of examples) {
    const parsed = z.safeParse(schema, example);
    if (!parsed.success)
      throw new Error(`An example is not a valid request: ${z.prettifyError(parsed.error)}`);
  }
  return { examples };
}

function toJsonSchema(schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io,
    target: TARGET,
    override,
  }) as JsonSchema;
  return json;
}

/**
 * What zod's conversion cannot see: checks it runs after transforming the value. The document must
 * never be laxer than the server, so a client that obeys it is never refused.
 */
function override({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonSchema }) {
  const def = (zodSchema as { _zod?: { def?: StringDef } })._zod?.def;
  if (def?.type !== 'string') return;
  // `.trim()` checks the trimmed value: documented as a value without surrounding whitespace.
  const trims = def.checks?.some((check) => {
    const tx = check._zod?.def?.tx;
    return check._zod?.def?.check === 'overwrite' && typeof tx === 'function' && tx(' a ') === 'a';
  });
  if (trims) {
    if (jsonSchema.pattern === undefined) jsonSchema.pattern = TRIMMED_PATTERN;
    else jsonSchema.allOf = [...((jsonSchema.allOf as JsonSchema[]) ?? []), { pattern: TRIMMED_PATTERN }];
  }
  // z.url({ protocol }) checks the scheme too: `format: uri` alone would allow any.
  if (def.format === 'url' && def.protocol instanceof RegExp) {
    const scheme = /^\^(.*)\$$/.exec(def.protocol.source)?.[1];
    if (scheme === undefined) throw new Error(`Cannot document the URL protocol ${def.protocol}`);
    jsonSchema.pattern = `^(?:${scheme}):`;
  }
}

interface StringDef {
  type: string;
  format?: string;
  protocol?: unknown;
  checks?: { _zod?: { def?: { check?: string; tx?: (value: string) => unknown } } }[];
}

// ── SCIM 2.0 ──────────────────────────────────────────────────────────────────────────────────────────

const SCIM_TAG = 'scim';
const SCIM_SECURITY_SCHEME = 'scimToken';
const SCIM_TYPE = 'application/scim+json';
const SCIM_ACCESS_TOKEN_SCHEME = 'scimOAuthClient';
const SCIM_BODIES: Record<string, string> = {
  ScimUser: 'User',
  ScimGroup: 'Group',
  ScimPatchOp: 'PatchOp',
  ScimSearchRequest: 'SearchRequest',
  ScimBulkRequest: 'BulkRequest',
};

/** The component a SCIM route's body is documented as. */
function scimBodyName(route: ScimRouteDefinition): string | undefined {
  const body = route.request.body;
  if (!body) return undefined;
  if (body === ScimSearchSchema) return 'ScimSearchRequest';
  if (body === ScimBulkSchema) return 'ScimBulkRequest';
  if (route.method === 'PATCH') return 'ScimPatchOp';
  return route.path.includes('Groups') ? 'ScimGroup' : 'ScimUser';
}

/** SCIM's own shapes: what a directory sends (from the zod schemas the function parses with), what it gets back. */
function scimComponents(): Record<string, JsonSchema> {
  const routes = Object.values(SCIM_ROUTES) as ScimRouteDefinition[];
  const bodies = new Map<z.core.$ZodType, string>();
  for (const route of routes) {
    const body = route.request.body;
    const name = scimBodyName(route);
    if (!body || !name || bodies.has(body)) continue;
    bodies.set(body, name);
  }
  return {
    ...convertAll(bodies, 'input'),
    ScimResource: {
      type: 'object',
      description: 'A SCIM resource (User, Group) or discovery document: see GET /scim/v2/Schemas.',
      required: ['schemas'],
      properties: { schemas: { type: 'array', items: { type: 'string' } }, id: { type: 'string' } },
    },
    ScimListResponse: {
      type: 'object',
      required: ['schemas', 'totalResults', 'startIndex', 'itemsPerPage', 'Resources'],
      properties: {
        schemas: { type: 'array', items: { const: 'urn:ietf:params:scim:api:messages:2.0:ListResponse' } },
        totalResults: { type: 'integer', minimum: 0 },
        startIndex: { type: 'integer', minimum: 1 },
        itemsPerPage: { type: 'integer', minimum: 0 },
        Resources: { type: 'array', items: { $ref: `${SCHEMA_REF}ScimResource` } },
      },
    },
    ScimError: {
      type: 'object',
      description: 'RFC 7644 §3.12: every SCIM error, with `scimType` where SCIM names the kind.',
      required: ['schemas', 'status', 'detail'],
      properties: {
        schemas: { type: 'array', items: { const: 'urn:ietf:params:scim:api:messages:2.0:Error' } },
        status: { type: 'string', pattern: '^[45][0-9]{2}$' },
        scimType: {
          type: 'string',
          enum: [
            'invalidFilter',
            'tooMany',
            'uniqueness',
            'mutability',
            'invalidSyntax',
            'invalidPath',
            'noTarget',
            'invalidValue',
          ],
        },
        detail: { type: 'string' },
      },
    },
  };
}

const SCIM_ERRORS: [number, string, (route: ScimRouteDefinition) => boolean][] = [
  [
    400,
    'Bad request: `scimType` says which kind (invalidFilter, invalidValue, invalidSyntax, invalidPath, tooMany…); nothing changed.',
    () => true,
  ],
  [
    401,
    "No SCIM token or access token, or not a valid one of a tenant (revoked, made up, without the scope gatehouse/scim, or of a client that is not the tenant's SCIM client).",
    () => true,
  ],
  [
    403,
    'Not supported for Groups: roles are added and deleted through the API.',
    (r) => r.path.includes('Groups') && (r.method === 'POST' || r.method === 'DELETE'),
  ],
  [
    404,
    "No such resource in the token's tenant (another tenant's answers the same).",
    (r) => r.path.includes('{'),
  ],
  [
    409,
    '`uniqueness`: the userName is taken; or the change breaks a rule of the tenant (last administrator, licences, roles).',
    (r) => r.method !== 'GET',
  ],
  [
    412,
    'If-Match named a version that is no longer current.',
    (r) => r.method === 'PUT' || r.method === 'PATCH',
  ],
  [
    413,
    'More operations than a bulk request may hold (ServiceProviderConfig bulk.maxOperations).',
    (r) => r.path.endsWith('/Bulk'),
  ],
  [422, 'The Idempotency-Key came with a different request before.', (r) => !!r.headers?.idempotencyKey],
  [500, 'Something failed on our side; the request may be retried.', () => true],
];

function scimOperation(id: string, route: ScimRouteDefinition): Operation {
  const parameters: Parameter[] = [
    ...objectParameters(route.request.params, 'path').map((p) => ({
      ...p,
      description: p.description ?? 'The resource id.',
    })),
    ...objectParameters(route.request.query, 'query').map((p) => ({
      ...p,
      description: p.description ?? SCIM_QUERY[p.name] ?? p.name,
    })),
    ...(route.method === 'PUT' || route.method === 'PATCH'
      ? [
          {
            name: 'If-Match',
            in: 'header' as const,
            required: false,
            description: 'Optional: the ETag (meta.version) of your last read; a stale one is 412.',
            schema: { type: 'string', pattern: ETAG_PATTERN },
          },
        ]
      : []),
    ...headerParameters({ ...route, permission: null, clients: [] } as RouteDefinition),
  ];
  const search = route.path.endsWith('/.search');
  const discovery = /\/(ServiceProviderConfig|ResourceTypes|Schemas|Bulk)/.test(route.path);
  // A User or Group carries its version as ETag; discovery documents, lists and bulk answers do not.
  const single = !discovery && !search && (route.path.includes('{') || route.method === 'POST');
  const list =
    search ||
    (route.method === 'GET' && !route.path.includes('{') && !route.path.endsWith('ServiceProviderConfig'));
  const schema = list ? 'ScimListResponse' : 'ScimResource';
  const success: ResponseObject =
    route.status === 204
      ? { description: SUCCESS[204] as string }
      : {
          description: SUCCESS[route.status] as string,
          ...(single
            ? {
                headers: {
                  ETag: {
                    description: 'The version (meta.version), for If-Match.',
                    schema: { type: 'string', pattern: ETAG_PATTERN },
                  },
                },
              }
            : {}),
          content: { [SCIM_TYPE]: { schema: { $ref: SCHEMA_REF + schema } } },
        };
  const bodyName = scimBodyName(route);
  return {
    operationId: id,
    summary: route.summary,
    description: `SCIM 2.0, with a SCIM token of the tenant or an access token of its SCIM OAuth client.${bodyName ? ` Takes a SCIM ${SCIM_BODIES[bodyName]}.` : ''}`,
    tags: [SCIM_TAG],
    'x-permission': null,
    security: [{ [SCIM_SECURITY_SCHEME]: [] }, { [SCIM_ACCESS_TOKEN_SCHEME]: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(bodyName
      ? {
          requestBody: {
            required: true,
            content: { [SCIM_TYPE]: { schema: { $ref: SCHEMA_REF + bodyName } } },
          },
        }
      : {}),
    responses: {
      [route.status]: success,
      ...Object.fromEntries(
        SCIM_ERRORS.filter(([, , when]) => when(route)).map(([status, description]) => [
          status,
          { description, content: { [SCIM_TYPE]: { schema: { $ref: `${SCHEMA_REF}ScimError` } } } },
        ]),
      ),
    },
  };
}

const SCIM_QUERY: Record<string, string> = {
  filter: 'A SCIM filter: eq, sw, co, pr, and, or; see README "SCIM provisioning" for those served.',
  startIndex: 'The 1-based index of the first result.',
  count: 'Results per page, at most 200.',
  attributes: 'Only these attributes (comma-separated), with id, schemas and meta.',
  excludedAttributes:
    "All but these attributes (comma-separated); `members` skips reading a group's members.",
};

/** The document as `npm run openapi` writes it to openapi.json and the offline API serves it. */
export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
