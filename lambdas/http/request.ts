// Turns an API Gateway event into a route's typed input, or an InvalidInput naming every bad field.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RouteDefinition } from '#api/routes.ts';
import { type FieldIssue, InvalidInput, PreconditionRequired } from '#domain/errors.ts';
import * as z from '#domain/zod.ts';

const MAX_BODY_BYTES = 100 * 1024;
const NO_BODY = z.optional(z.strictObject({}));

export interface ParsedRequest {
  params: unknown;
  query: unknown;
  body: unknown;
  /** From If-Match, on routes that require it; 0 elsewhere. */
  version: number;
  idempotencyKey?: string;
}

export function parseRequest(
  route: Pick<RouteDefinition, 'request' | 'headers' | 'file' | 'maxBodyBytes'>,
  event: APIGatewayProxyEvent,
): ParsedRequest {
  const issues: FieldIssue[] = [];
  const parse = (where: string, schema: z.ZodMiniType, value: unknown) => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    issues.push(...toFieldIssues(where, result.error));
    return undefined;
  };

  const params = parse('params', route.request.params ?? z.strictObject({}), event.pathParameters ?? {});
  const query = parse('query', route.request.query ?? z.strictObject({}), singleValued(event, issues));
  let body: unknown;
  if (route.file) {
    const file = readFile(route.file, event, issues);
    body = file === INVALID ? undefined : file;
  } else {
    const raw = readBody(event, issues, route.maxBodyBytes ?? MAX_BODY_BYTES);
    body = raw === INVALID ? undefined : parse('body', route.request.body ?? NO_BODY, raw);
  }

  const version = route.headers?.ifMatch ? ifMatch(event.headers['if-match'], issues) : 0;
  const key = route.headers?.idempotencyKey
    ? idempotencyKey(event.headers['idempotency-key'], issues)
    : undefined;

  if (issues.length > 0) throw new InvalidInput(issues);
  if (route.headers?.ifMatch && version === undefined) throw new PreconditionRequired();
  return { params, query, body, version: version ?? 0, ...(key ? { idempotencyKey: key } : {}) };
}

/** `"3"` or `W/"3"`: the version from the ETag of the last read. */
export function ifMatch(header: string | undefined, issues: FieldIssue[]): number | undefined {
  if (header === undefined) return undefined;
  const version = /^(?:W\/)?"(\d{1,15})"$/.exec(header.trim())?.[1];
  if (version === undefined) {
    issues.push({ field: 'headers.if-match', message: 'must be the ETag of the last read, e.g. "3"' });
    return 0;
  }
  return Number(version);
}

function idempotencyKey(header: string | undefined, issues: FieldIssue[]): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    issues.push({ field: 'headers.idempotency-key', message: 'must be 1 to 255 visible ASCII characters' });
    return undefined;
  }
  return header;
}

function singleValued(event: APIGatewayProxyEvent, issues: FieldIssue[]): Record<string, string> {
  const query: [string, string][] = [];
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (!values) continue;
    if (values.length > 1) issues.push({ field: `query.${name}`, message: 'must be given once' });
    if (values[0] !== undefined) query.push([name, values[0]]);
  }
  // Own properties even for `__proto__`, so the strict schema sees (and refuses) it rather than losing it.
  return Object.fromEntries(query);
}

const INVALID = Symbol('invalid body');

/** A file body: one of the route's media types, within its size; its text is read by the route's use case. */
function readFile(
  file: NonNullable<RouteDefinition['file']>,
  event: APIGatewayProxyEvent,
  issues: FieldIssue[],
): { mediaType: string; text: string } | typeof INVALID {
  const mediaType = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!file.mediaTypes.includes(mediaType)) {
    issues.push({ field: 'body', message: `must be sent as ${file.mediaTypes.join(' or ')}` });
    return INVALID;
  }
  if (event.body === null || event.body === '') {
    issues.push({ field: 'body', message: 'is empty' });
    return INVALID;
  }
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.byteLength > file.maxBytes) {
    issues.push({ field: 'body', message: `must be at most ${file.maxBytes / 1024 / 1024} MB` });
    return INVALID;
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return { mediaType, text: text.decode(bytes) };
  } catch {
    issues.push({ field: 'body', message: 'is not UTF-8 text' });
    return INVALID;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function readBody(event: APIGatewayProxyEvent, issues: FieldIssue[], maxBytes: number): unknown {
  if (event.body === null || event.body === '') return undefined;
  let text: string;
  try {
    text = event.isBase64Encoded ? UTF8.decode(Buffer.from(event.body, 'base64')) : event.body;
  } catch {
    text = '\uFFFD';
  }
  // Bytes that are not UTF-8 reach a text body as U+FFFD (API Gateway and the offline server both decode so):
  // refused, rather than stored as a character nobody typed.
  if (text.includes('\uFFFD')) {
    issues.push({ field: 'body', message: 'is not valid UTF-8' });
    return INVALID;
  }
  if (Buffer.byteLength(text) > maxBytes) {
    issues.push({ field: 'body', message: `must be at most ${maxBytes / 1024} KB` });
    return INVALID;
  }
  const type = event.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    issues.push({ field: 'body', message: 'must be sent as application/json' });
    return INVALID;
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    issues.push({ field: 'body', message: 'is not valid JSON' });
    return INVALID;
  }
  // JSON's \uD800-style escapes can still spell half a character, which no store or mail can encode.
  if (!wellFormed(value)) {
    issues.push({ field: 'body', message: 'is not valid UTF-8: it escapes half of a surrogate pair' });
    return INVALID;
  }
  return value;
}

/** With the `u` flag, a surrogate matches only when it is not half of a pair. */
const LONE_SURROGATE = /\p{Cs}/u;

function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value && typeof value === 'object')
    return Object.entries(value).every(([key, v]) => !LONE_SURROGATE.test(key) && wellFormed(v));
  return true;
}

export function toFieldIssues(where: string, error: z.core.$ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${at}.${key}`, message: 'is not a known field' }));
    }
    return [{ field: at, message: issue.message }];
  });
}
