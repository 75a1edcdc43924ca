import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument, openApiJson, type ResponseObject } from '#api/openapi.ts';
import { RESPONSES } from '#api/route-responses.ts';
import { ROUTES, type RouteDefinition, type RouteId } from '#api/routes.ts';
import { SCIM_ROUTES } from '#api/scim-routes.ts';
import { Contract } from '#test/support/contract.ts';

const document = openApiDocument();
const contract = new Contract(document);
const routes = Object.entries(ROUTES) as [string, RouteDefinition][];
const root = fileURLToPath(new URL('../../', import.meta.url));

const operationOf = (route: RouteDefinition) => document.paths[route.path]?.[route.method.toLowerCase()];
const responseOf = (route: RouteDefinition, status: number) => {
  const entry = operationOf(route)?.responses[status];
  return entry && '$ref' in entry
    ? contract.resolve<ResponseObject>(entry.$ref as string)
    : (entry as ResponseObject);
};

describe('the OpenAPI document', () => {
  it('has every route of the route table and of the SCIM route table, and nothing else', () => {
    const documented = contract.operations().map((o) => `${o.method} ${o.path} ${o.operation.operationId}`);
    expect(documented.sort()).toEqual(
      [...routes, ...Object.entries(SCIM_ROUTES)].map(([id, r]) => `${r.method} ${r.path} ${id}`).sort(),
    );
  });

  it('asks for the tenant’s SCIM token or its SCIM OAuth client’s access token on every SCIM route, and answers errors in SCIM’s format', () => {
    expect(document.components.securitySchemes.scimToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.securitySchemes.scimOAuthClient).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    for (const [id, route] of Object.entries(SCIM_ROUTES)) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.security, id).toEqual([{ scimToken: [] }, { scimOAuthClient: [] }]);
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        if (Number(status) < 400) continue;
        expect((response as ResponseObject).content, `${id} ${status}`).toHaveProperty(
          ['application/scim+json', 'schema'],
          { $ref: '#/components/schemas/ScimError' },
        );
      }
    }
  });

  it('asks for a Cognito ID token as a bearer JWT on every route', () => {
    expect(document.components.securitySchemes.cognitoIdToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(document.security).toEqual([{ cognitoIdToken: [] }]);
    for (const operation of contract.operations()) {
      if (operation.path.startsWith('/scim/')) continue;
      expect(operation.operation).not.toHaveProperty('security');
    }
  });

  it.each(routes)('documents the problem+json answers %s can give', (_id, route) => {
    const statuses = Object.keys(operationOf(route)?.responses ?? {}).map(Number);
    expect(statuses).toEqual(expect.arrayContaining([400, 401, 403, 500]));
    if (route.path.includes('{')) expect(statuses).toContain(404);
    if (route.headers?.ifMatch) expect(statuses).toEqual(expect.arrayContaining([412, 428]));
    if (route.headers?.idempotencyKey) expect(statuses).toContain(422);
    for (const status of statuses.filter((s) => s >= 400)) {
      expect(responseOf(route, status).content).toHaveProperty(['application/problem+json', 'schema'], {
        $ref: '#/components/schemas/Problem',
      });
    }
    expect(responseOf(route, 401).headers).toHaveProperty('WWW-Authenticate');
  });

  it.each(
    routes,
  )('documents the success bodies of %s, with the ETag of whatever has a version', (id, route) => {
    for (const [status, schema] of Object.entries(RESPONSES[id as RouteId])) {
      const response = responseOf(route, Number(status));
      if (!schema) {
        expect(response.content).toBeUndefined();
        continue;
      }
      expect(Object.keys(response.content ?? {})).toEqual(['application/json']);
      const versioned = schema instanceof z.core.$ZodObject && 'version' in schema._zod.def.shape;
      expect(response.headers?.ETag?.required ?? false).toBe(versioned);
    }
  });

  it.each(routes)('documents the parameters and headers %s takes', (_id, route) => {
    const parameters = operationOf(route)?.parameters ?? [];
    for (const name of route.path.match(/\{\w+\}/g) ?? []) {
      expect(parameters).toContainEqual(
        expect.objectContaining({ name: name.slice(1, -1), in: 'path', required: true }),
      );
    }
    const headers = parameters.filter((p) => p.in === 'header').map((p) => `${p.name}:${p.required}`);
    expect(headers.sort()).toEqual(
      [
        ...(route.headers?.ifMatch ? ['If-Match:true'] : []),
        ...(route.headers?.idempotencyKey ? ['Idempotency-Key:false'] : []),
      ].sort(),
    );
  });

  it('keeps unknown fields out wherever the zod schema is strict', () => {
    const body = document.components.schemas.CreateUserBody as { additionalProperties?: unknown };
    expect(body.additionalProperties).toBe(false);
    expect(
      contract.errors('#/components/schemas/CreateUserBody', { ...example('CreateUserBody'), isAdmin: true }),
    ).not.toEqual([]);
  });

  it('is never laxer than the server: a trimmed field needs more than whitespace, a photo https', () => {
    const valid = example('CreateUserBody');
    expect(contract.errors('#/components/schemas/CreateUserBody', valid)).toEqual([]);
    for (const broken of [
      { firstName: '   ' },
      { photoUrl: 'http://example.com/ada.jpg' },
      { mobilePhone: '   ' },
    ]) {
      expect(contract.errors('#/components/schemas/CreateUserBody', { ...valid, ...broken })).not.toEqual([]);
    }
  });

  it.each(
    routes.filter(([, route]) => route.request.body),
  )('has example bodies for %s that the document and the server both accept', (_id, route) => {
    const ref = operationOf(route)?.requestBody?.content['application/json']?.schema.$ref as string;
    const examples = contract.resolve<{ examples?: unknown[] }>(ref).examples ?? [];
    expect(examples.length).toBeGreaterThan(0);
    for (const value of examples) {
      expect(contract.errors(ref, value)).toEqual([]);
      expect(route.request.body?.safeParse(value).error).toBeUndefined();
    }
  });

  it('is committed as openapi.json, up to date (run `npm run openapi`)', () => {
    expect(readFileSync(join(root, 'openapi.json'), 'utf8')).toBe(openApiJson());
  });

  it('passes Redocly’s strict lint, offline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), openApiJson());
      const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
      const run = promisify(execFile)(
        process.execPath,
        [
          cli,
          'lint',
          join(dir, 'openapi.json'),
          '--config',
          join(root, 'redocly.yaml'),
          '--format',
          'stylish',
        ],
        { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
      );
      const { stdout, stderr } = await run.catch((error: { stdout: string; stderr: string }) => {
        throw new Error(`lint failed:\n${error.stdout}\n${error.stderr}`);
      });
      expect(`${stdout}${stderr}`).toMatch(/valid/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

function example(name: string): Record<string, unknown> {
  const value = (document.components.schemas[name]?.examples as Record<string, unknown>[] | undefined)?.[0];
  if (!value) throw new Error(`${name} has no example`);
  return value;
}

describe('holding an answer to the document', () => {
  const user = example('User');
  const userId = user.id as string;
  const json = (etag?: string) =>
    new Headers({ 'content-type': 'application/json', ...(etag ? { etag } : {}) });
  const violations = (
    status: number,
    headers: Headers,
    body: unknown,
    method = 'GET',
    url = `/users/${userId}`,
  ) => contract.violations(method, url, status, headers, body === undefined ? '' : JSON.stringify(body));

  it('accepts an answer it documents', () => {
    expect(violations(200, json('"3"'), user)).toEqual([]);
    expect(violations(204, new Headers(), undefined, 'DELETE')).toEqual([]);
    const problem = {
      type: 'https://gatehouse.dev/problems/user-not-found',
      title: 'Not found',
      status: 404,
    };
    expect(violations(404, new Headers({ 'content-type': 'application/problem+json' }), problem)).toEqual([]);
  });

  it('refuses a route or a status it does not document', () => {
    expect(violations(200, json('"3"'), user, 'GET', '/nowhere')).toEqual([
      'GET /nowhere is not in the document',
    ]);
    expect(violations(418, json('"3"'), user)[0]).toMatch(/status 418 is not documented/);
  });

  it('refuses an unknown field, a field of the wrong type, a missing required one', () => {
    expect(violations(200, json('"3"'), { ...user, cognitoSub: 'internal' })).toEqual([
      'body: / must NOT have additional properties (cognitoSub)',
    ]);
    expect(violations(200, json('"3"'), { ...user, version: '3' })).toEqual([
      'body: /version must be integer',
    ]);
    const { status: _gone, ...statusless } = user;
    expect(violations(200, json('"3"'), statusless)).toEqual([
      "body: / must have required property 'status'",
    ]);
  });

  it('refuses a missing ETag, a body where none is documented, and the wrong media type', () => {
    expect(violations(200, json(), user)).toEqual(['header ETag is missing']);
    expect(violations(204, json(), { deleted: true }, 'DELETE')[0]).toMatch(/no body is documented/);
    expect(violations(200, new Headers({ 'content-type': 'text/plain', etag: '"3"' }), user)[0]).toMatch(
      /content-type text\/plain is not application\/json/,
    );
  });
});
