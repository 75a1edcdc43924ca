// The API keeps the document's word on input: requests generated from it, with one property broken at a time,
// are refused with a 400 naming that property and change nothing; the documented examples are accepted.
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type JsonSchema, type OpenApiDocument, openApiDocument, TRIMMED_PATTERN } from '#api/openapi.ts';
import { SCIM_BASE } from '#api/scim-routes.ts';
import { Contract, type FoundOperation } from '#test/support/contract.ts';
import { adminToken, api, cognitoClient } from '#test/support/offline.ts';
import { countItems } from '#test/support/tables.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];

// The document as clients get it: the cases below are generated from it, so no route can be left out.
const served = await fetch(`${env.apiUrl}/openapi.json`);
const document = (await served.json()) as OpenApiDocument;
const contract = new Contract(document);

interface Request {
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  /** A file body (the import route's), sent as is with its media type. */
  file?: { mediaType: string; text: string };
}

interface Break {
  name: string;
  /** The field the 400 must name, as the API names fields: `body.address.city`, `query.limit`, … */
  field: string;
  request: Request;
  /** 400, or what the document says a missing required header gets (428 for If-Match). */
  status: number;
}

const UNKNOWN = 'unknownProperty';

describe('the published contract', () => {
  it('is served at /openapi.json without a token, as generated from the route table', async () => {
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/json');
    expect(document).toEqual(openApiDocument());
  });

  it('has a self-contained reference page at /docs', async () => {
    const page = await fetch(`${env.apiUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('Gatehouse API');
    for (const { operation } of contract.operations()) expect(html).toContain(operation.operationId);
    // Nothing to fetch: no external script or stylesheet.
    expect(html).not.toMatch(/<script[^>]+src=["']?https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']?https?:/i);
  }, 30_000);
});

// The SCIM routes answer a directory's SCIM token in SCIM's own error format (RFC 7644 §3.12), not problem+json to
// a Cognito token: scim.test.ts and the generated SCIM requests of generated.test.ts hold them to their contract.
const apiOperations = contract.operations().filter((o) => !o.path.startsWith(SCIM_BASE));

describe.each(apiOperations)('$method $path', (operation) => {
  const baseline = baselineOf(operation);
  const breaks = breaksOf(operation, baseline);
  let token: string;
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    token = await adminToken(env, acme);
    before = await snapshot();
  });

  for (const { name, request, field, status } of breaks) {
    it(`refuses ${name} with ${status}${status === 400 ? ` naming ${field}` : ''}, changing nothing`, async () => {
      const response = await send(operation, request, token);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      if (status === 400) {
        const fields = new Set((response.body as { errors: { field: string }[] }).errors.map((e) => e.field));
        expect([...fields]).toEqual([field]);
      }
      expect(await snapshot()).toEqual(before);
    });
  }

  it('accepts the request built from the examples: no 400, no 5xx', async () => {
    const response = await send(operation, baseline, token);
    expect(response.status, JSON.stringify(response.body)).not.toBe(400);
    expect(response.status).toBeLessThan(500);
  });
});

function send(operation: FoundOperation, request: Request, token: string) {
  const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(request.params[name] ?? ''),
  );
  const query = new URLSearchParams(request.query).toString();
  return api(env, operation.method, query ? `${path}?${query}` : path, {
    token,
    headers: request.file ? { ...request.headers, 'content-type': request.file.mediaType } : request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.file ? { rawBody: request.file.text } : {}),
  });
}

/** Everything the stores hold: rows per table, the tenant's Cognito users, and mails sent. */
async function snapshot() {
  let cognitoUsers = 0;
  let token: string | undefined;
  do {
    const page = await cognitoClient(env).send(
      new ListUsersCommand({ UserPoolId: acme.userPoolId, PaginationToken: token }),
    );
    cognitoUsers += page.Users?.length ?? 0;
    token = page.PaginationToken;
  } while (token);
  const { emails } = (await (await fetch(`${env.mailboxUrl}/store`)).json()) as { emails: unknown[] };
  return { ...(await countItems(env)), cognitoUsers, mails: emails.length };
}

// --- requests from the document --------------------------------------------------------------------

const parameterPointer = (operation: FoundOperation, index: number) =>
  `${operation.pointer}/parameters/${index}/schema`;

/** A route that takes a file, not JSON: its first media type, with that type's example. */
function fileOf(operation: FoundOperation): { mediaType: string; text: string } | undefined {
  const content = operation.operation.requestBody?.content ?? {};
  if (content['application/json']) return undefined;
  const [mediaType, media] = Object.entries(content)[0] ?? [];
  if (!mediaType || !media) return undefined;
  const example = (media as { example?: unknown }).example;
  if (typeof example !== 'string')
    throw new Error(`${operation.method} ${operation.path}: the ${mediaType} body has no example`);
  return { mediaType, text: example };
}

function bodyRef(operation: FoundOperation): string | undefined {
  return operation.operation.requestBody?.content['application/json']?.schema.$ref as string | undefined;
}

/** A valid request: every required parameter and the body from the document's examples. */
function baselineOf(operation: FoundOperation): Request {
  const request: Request = { params: {}, query: {}, headers: {} };
  for (const parameter of operation.operation.parameters ?? []) {
    const example = (parameter.schema.examples as unknown[] | undefined)?.[0];
    if (example === undefined) {
      if (parameter.required) throw new Error(`${parameter.in} parameter ${parameter.name} has no example`);
      continue;
    }
    slot(request, parameter.in)[parameter.name] = String(example);
  }
  const ref = bodyRef(operation);
  if (ref) {
    const example = (contract.resolve<JsonSchema>(ref).examples as unknown[] | undefined)?.[0];
    if (example === undefined)
      throw new Error(`${operation.method} ${operation.path}: the body has no example`);
    request.body = example;
  }
  const file = fileOf(operation);
  if (file) request.file = file;
  return request;
}

function slot(request: Request, where: string): Record<string, string> {
  return where === 'path' ? request.params : where === 'query' ? request.query : request.headers;
}

function breaksOf(operation: FoundOperation, baseline: Request): Break[] {
  const breaks: Break[] = [];
  const add = (name: string, field: string, change: (request: Request) => void, status = 400) => {
    const request = structuredClone(baseline);
    change(request);
    breaks.push({ name: `${field}: ${name}`, field, request, status });
  };

  (operation.operation.parameters ?? []).forEach((parameter, index) => {
    const field =
      parameter.in === 'header'
        ? `headers.${parameter.name.toLowerCase()}`
        : `${parameter.in === 'path' ? 'params' : 'query'}.${parameter.name}`;
    const schema = parameter.schema;
    for (const [name, value] of wireBreaks(schema, parameter.in)) {
      const wire = schema.type === 'integer' || schema.type === 'number' ? numeric(value) : value;
      if (contract.errors(parameterPointer(operation, index), wire).length === 0) {
        throw new Error(`${field}: "${value}" (${name}) is valid per the document`);
      }
      add(name, field, (r) => {
        slot(r, parameter.in)[parameter.name] = value;
      });
    }
    if (parameter.required && parameter.in !== 'path') {
      add(
        'missing',
        field,
        (r) => {
          delete slot(r, parameter.in)[parameter.name];
        },
        parameter.name === 'If-Match' ? 428 : 400,
      );
    }
  });
  add('unknown query parameter', `query.${UNKNOWN}`, (r) => {
    r.query[UNKNOWN] = '1';
  });

  const ref = bodyRef(operation);
  if (ref) {
    if (operation.operation.requestBody?.required) {
      add('missing', 'body', (r) => {
        delete r.body;
      });
    }
    for (const b of bodyBreaks(contract.resolve<JsonSchema>(ref), baseline.body, [])) {
      const body = structuredClone(baseline.body);
      b.apply(body);
      const field = ['body', ...b.path].join('.');
      if (contract.errors(ref, body).length === 0)
        throw new Error(`${field}: ${b.name} is valid per the document`);
      add(b.name, field, (r) => {
        r.body = body;
      });
    }
  } else if (fileOf(operation)) {
    // A file's rows are checked one by one (the import's own tests); its absence is the contract's.
    add('missing', 'body', (r) => {
      delete r.file;
    });
  } else if (operation.method !== 'GET') {
    // The document gives this route no body: one with a property is refused.
    add('unknown property in a body the route does not take', `body.${UNKNOWN}`, (r) => {
      r.body = { [UNKNOWN]: true };
    });
  }
  return breaks;
}

/** Values on the wire (path, query, header: strings) that break a parameter's schema. */
function wireBreaks(schema: JsonSchema, where: string): [string, string][] {
  const breaks: [string, string][] = [];
  if (schema.type === 'integer' || schema.type === 'number') breaks.push(['wrong type', 'not-a-number']);
  if (schema.type === 'integer') breaks.push(['not an integer', '1.5']);
  if (typeof schema.maximum === 'number') breaks.push(['above the maximum', String(schema.maximum + 1)]);
  if (typeof schema.minimum === 'number') breaks.push(['below the minimum', String(schema.minimum - 1)]);
  if (typeof schema.maxLength === 'number') breaks.push(['too long', 'x'.repeat(schema.maxLength + 1)]);
  if (typeof schema.minLength === 'number' && schema.minLength > 0 && where !== 'path')
    breaks.push(['empty', '']);
  if (Array.isArray(schema.enum)) breaks.push(['not one of the values', 'not-a-member']);
  if (schema.format !== undefined || (schema.pattern !== undefined && schema.pattern !== TRIMMED_PATTERN))
    breaks.push(['malformed', 'not valid!']);
  return breaks;
}

const numeric = (value: string) => (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value);

interface BodyBreak {
  name: string;
  path: (string | number)[];
  apply(body: unknown): void;
}

/** Breaks of each property of an object schema, and of the objects nested in the example. */
function bodyBreaks(schema: JsonSchema, value: unknown, path: (string | number)[]): BodyBreak[] {
  const object = effective(schema);
  if (object.type !== 'object' || !isRecord(value)) return [];
  const at = (body: unknown) =>
    path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], body);
  const set = (key: string, v: unknown) => (body: unknown) => {
    (at(body) as Record<string, unknown>)[key] = v;
  };
  const breaks: BodyBreak[] = [];
  if (object.additionalProperties === false) {
    breaks.push({ name: 'unknown property', path: [...path, UNKNOWN], apply: set(UNKNOWN, true) });
  }
  const required = new Set((object.required as string[] | undefined) ?? []);
  for (const [key, raw] of Object.entries((object.properties as Record<string, JsonSchema>) ?? {})) {
    const property = effective(raw);
    const here = [...path, key];
    const current = value[key];
    const wrong = wrongType(raw);
    if (wrong !== undefined) breaks.push({ name: 'wrong type', path: here, apply: set(key, wrong) });
    if (required.has(key) && key in value) {
      breaks.push({
        name: 'missing',
        path: here,
        apply: (body) => {
          delete (at(body) as Record<string, unknown>)[key];
        },
      });
    }
    if (typeof property.maxLength === 'number') {
      const start = typeof current === 'string' ? current : 'x';
      breaks.push({
        name: 'too long',
        path: here,
        apply: set(key, start.padEnd(property.maxLength + 1, 'x')),
      });
    }
    if (typeof property.minLength === 'number' && property.minLength > 0) {
      breaks.push({ name: 'empty', path: here, apply: set(key, '') });
    }
    if (typeof property.maxItems === 'number' && Array.isArray(current) && current.length > 0) {
      const items = Array.from({ length: property.maxItems + 1 }, () => current[0]);
      breaks.push({ name: 'too many items', path: here, apply: set(key, items) });
    }
    if (typeof property.maximum === 'number') {
      breaks.push({ name: 'above the maximum', path: here, apply: set(key, property.maximum + 1) });
    }
    if (typeof property.minimum === 'number') {
      breaks.push({ name: 'below the minimum', path: here, apply: set(key, property.minimum - 1) });
    }
    if (Array.isArray(property.enum))
      breaks.push({ name: 'not one of the values', path: here, apply: set(key, 'not-a-member') });
    if (
      property.format !== undefined ||
      (property.pattern !== undefined && property.pattern !== TRIMMED_PATTERN)
    ) {
      // A control character too: text fields' patterns refuse only those (README "Text the API refuses").
      breaks.push({ name: 'malformed', path: here, apply: set(key, 'not valid!\u0007') });
    }
    breaks.push(...bodyBreaks(raw, current, here));
    const items = property.items as JsonSchema | undefined;
    if (items && Array.isArray(current) && current.length > 0)
      breaks.push(...bodyBreaks(items, current[0], [...here, 0]));
  }
  return breaks;
}

/** The schema itself, or of a nullable one (`anyOf: [X, null]`) the X. */
function effective(schema: JsonSchema): JsonSchema {
  const members = (schema.anyOf as JsonSchema[] | undefined)?.filter((m) => m.type !== 'null');
  return members?.length === 1 ? (members[0] as JsonSchema) : schema;
}

/** A value of a JSON type the schema does not allow; undefined when it allows any. */
function wrongType(schema: JsonSchema): unknown {
  const types = new Set<string>();
  const collect = (s: JsonSchema) => {
    if (typeof s.type === 'string') types.add(s.type);
    if (Array.isArray(s.type)) for (const t of s.type) types.add(t as string);
    for (const member of [...((s.anyOf as JsonSchema[]) ?? []), ...((s.oneOf as JsonSchema[]) ?? [])])
      collect(member);
  };
  collect(schema);
  if (types.size === 0) return undefined;
  const candidates: [string[], unknown][] = [
    [['integer', 'number'], 42],
    [['string'], 'a string'],
    [['boolean'], true],
    [['object'], { an: 'object' }],
    [['array'], ['an array']],
  ];
  return candidates.find(([kinds]) => !kinds.some((k) => types.has(k)))?.[1];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
