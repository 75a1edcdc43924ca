// Turns an API Gateway event into a route's typed input, or an InvalidInput naming every bad field.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type ZodType, z } from 'zod';
import type { RouteDefinition } from '#api/routes.ts';
import { type FieldIssue, InvalidInput } from '#domain/errors.ts';

const MAX_BODY_BYTES = 100 * 1024;
const NO_BODY = z.strictObject({}).optional();

export interface ParsedRequest {
  params: unknown;
  query: unknown;
  body: unknown;
}

export function parseRequest(route: RouteDefinition, event: APIGatewayProxyEvent): ParsedRequest {
  const issues: FieldIssue[] = [];
  const parse = (where: string, schema: ZodType, value: unknown) => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    issues.push(...toFieldIssues(where, result.error));
    return undefined;
  };

  const params = parse('params', route.request.params ?? z.strictObject({}), event.pathParameters ?? {});
  const query = parse('query', route.request.query ?? z.strictObject({}), singleValued(event, issues));
  const raw = readBody(event, issues);
  const body = raw === INVALID ? undefined : parse('body', route.request.body ?? NO_BODY, raw);

  if (issues.length > 0) throw new InvalidInput(issues);
  return { params, query, body };
}

function singleValued(event: APIGatewayProxyEvent, issues: FieldIssue[]): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (!values) continue;
    if (values.length > 1) issues.push({ field: `query.${name}`, message: 'must be given once' });
    if (values[0] !== undefined) query[name] = values[0];
  }
  return query;
}

const INVALID = Symbol('invalid body');

function readBody(event: APIGatewayProxyEvent, issues: FieldIssue[]): unknown {
  if (event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    issues.push({ field: 'body', message: `must be at most ${MAX_BODY_BYTES / 1024} KB` });
    return INVALID;
  }
  const type = event.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    issues.push({ field: 'body', message: 'must be sent as application/json' });
    return INVALID;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    issues.push({ field: 'body', message: 'is not valid JSON' });
    return INVALID;
  }
}

export function toFieldIssues(where: string, error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${at}.${key}`, message: 'is not a known field' }));
    }
    return [{ field: at, message: issue.message }];
  });
}
