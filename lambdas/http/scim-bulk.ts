// SCIM's /Bulk (RFC 7644 §3.7): each operation is a request to one of the SCIM routes, parsed by that route's own
// schemas and run by its own implementation, in order, with `bulkId:<id>` standing for a resource made earlier.
import type { RouteRequest } from '#api/routes.ts';
import type { ScimRouteDefinition } from '#api/scim-routes.ts';
import {
  MAX_BULK_OPERATIONS,
  SCIM_ROUTES,
  type ScimBulkRequest,
  type ScimRouteId,
} from '#api/scim-routes.ts';
import { type FieldIssue, InvalidInput } from '#domain/errors.ts';
import { ScimRefused } from '#domain/scim-filter.ts';
import { SCIM } from '#domain/scim-resources.ts';
import { ifMatch, toFieldIssues } from './request.ts';
import {
  type ScimImplementation,
  type ScimImplementations,
  type ScimInput,
  scimErrorReply,
} from './scim-handler.ts';

type Operation = ScimBulkRequest['Operations'][number];

export interface BulkOperationResult {
  method: Operation['method'];
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: unknown;
}

/** The routes an operation may name: the writes on Users and Groups (not /Bulk itself, nor searches). */
const TARGETS = (Object.keys(SCIM_ROUTES) as ScimRouteId[]).flatMap((id) => {
  const route = SCIM_ROUTES[id];
  const relative = route.path.slice('/scim/v2'.length);
  if (route.method === 'GET' || !/^\/(Users|Groups)(\/\{id\})?$/.test(relative)) return [];
  const pattern = new RegExp(`^${relative.replace('{id}', '([^/?#]+)')}$`);
  return [{ id, method: route.method, pattern }];
});

const REFERENCE = /^bulkId:(.+)$/;

/** Every `bulkId:<id>` string within a value (path, data), with what it stands for, or the first one unknown. */
function resolve(value: unknown, ids: ReadonlyMap<string, string>): { value: unknown } | { missing: string } {
  let missing: string | undefined;
  const walk = (v: unknown): unknown => {
    // In a path, the reference is a segment: `/Users/bulkId:qwerty`.
    if (typeof v === 'string' && v.startsWith('/')) {
      return v
        .split('/')
        .map((segment) => walk(segment))
        .join('/');
    }
    if (typeof v === 'string') {
      const ref = REFERENCE.exec(v)?.[1];
      if (ref === undefined) return v;
      const id = ids.get(ref);
      if (id === undefined) missing ??= ref;
      return id ?? v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const resolved = walk(value);
  return missing === undefined ? { value: resolved } : { missing };
}

/**
 * Runs the operations in order, each through its route's implementation as the directory's SCIM client. An
 * operation naming a resource another one makes later waits for it; one naming a bulkId nobody makes, or only
 * a failed one, is 409 `invalidValue`. After `failOnErrors` failures the rest are not run (and not answered).
 */
export async function runBulk(
  request: ScimBulkRequest,
  implementations: ScimImplementations,
  input: Omit<ScimInput<RouteRequest>, 'params' | 'query' | 'body' | 'ifMatch'>,
): Promise<BulkOperationResult[]> {
  if (request.Operations.length > MAX_BULK_OPERATIONS) {
    throw new ScimRefused(
      413,
      undefined,
      `A bulk request may hold at most ${MAX_BULK_OPERATIONS} operations.`,
    );
  }
  const bulkIds = request.Operations.flatMap((op) => (op.bulkId ? [op.bulkId] : []));
  if (new Set(bulkIds).size !== bulkIds.length) {
    throw new ScimRefused(400, 'invalidValue', 'Each bulkId may be given to one operation only.');
  }
  const made = new Map<string, string>();
  const results = new Map<number, BulkOperationResult>();
  let pending = request.Operations.map((op, index) => ({ op, index }));
  let errors = 0;
  const fail = (index: number, op: Operation, error: unknown) => {
    const reply = scimErrorReply(error, input.event);
    results.set(index, {
      method: op.method,
      ...(op.bulkId ? { bulkId: op.bulkId } : {}),
      status: String(reply.status),
      response: reply.body,
    });
    errors += 1;
  };
  // Each round runs what it can; one that made no progress leaves only references nothing will make.
  while (pending.length > 0 && !(request.failOnErrors && errors >= request.failOnErrors)) {
    const waiting: typeof pending = [];
    const awaited = new Set(pending.flatMap(({ op }) => (op.bulkId ? [op.bulkId] : [])));
    for (const { op, index } of pending) {
      if (request.failOnErrors && errors >= request.failOnErrors) break;
      const resolved = resolve({ path: op.path, data: op.data }, made);
      if ('missing' in resolved) {
        if (awaited.has(resolved.missing) && resolved.missing !== op.bulkId) waiting.push({ op, index });
        else
          fail(
            index,
            op,
            new ScimRefused(
              409,
              'invalidValue',
              `bulkId:${resolved.missing} names no resource made by this request.`,
            ),
          );
        continue;
      }
      const { path, data } = resolved.value as { path: string; data: unknown };
      try {
        const result = await runOne(op, path, data, implementations, input);
        results.set(index, result);
        if (op.bulkId && result.location) made.set(op.bulkId, result.location.split('/').at(-1) as string);
      } catch (error) {
        fail(index, op, error);
      }
    }
    if (waiting.length === pending.length) {
      for (const { op, index } of waiting) {
        fail(index, op, new ScimRefused(409, 'invalidValue', 'Its bulkId references form a cycle.'));
      }
      break;
    }
    pending = waiting;
  }
  return [...results.entries()].sort(([a], [b]) => a - b).map(([, result]) => result);
}

async function runOne(
  op: Operation,
  path: string,
  data: unknown,
  implementations: ScimImplementations,
  input: Omit<ScimInput<RouteRequest>, 'params' | 'query' | 'body' | 'ifMatch'>,
): Promise<BulkOperationResult> {
  const target = TARGETS.map((t) => ({ t, match: t.method === op.method && t.pattern.exec(path) })).find(
    (x) => x.match,
  );
  if (!target?.match) {
    throw new ScimRefused(400, 'invalidValue', `${op.method} ${path} is no operation on Users or Groups.`);
  }
  if (op.method === 'POST' && !op.bulkId) {
    throw new ScimRefused(400, 'invalidValue', 'A POST operation needs a bulkId.');
  }
  const route: ScimRouteDefinition = SCIM_ROUTES[target.t.id];
  const issues: FieldIssue[] = [];
  const parse = (where: string, schema: RouteRequest['body'], value: unknown) => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (!result.success) issues.push(...toFieldIssues(where, result.error));
    return result.data;
  };
  const id = target.match[1];
  const params = parse(
    'path',
    route.request.params,
    id === undefined ? {} : { id: decodeURIComponent(id) },
  ) as { id?: string } | undefined;
  const body = parse('data', route.request.body, data);
  const version = op.version === undefined ? undefined : ifMatch(op.version, issues);
  if (issues.length > 0) throw new InvalidInput(issues);
  const implementation = implementations[target.t.id] as unknown as ScimImplementation<RouteRequest, unknown>;
  const result = await implementation.run({
    ...input,
    params: params as never,
    query: undefined as never,
    body: body as never,
    ifMatch: version,
  });
  const reply = implementation.reply(result, { base: input.base, query: undefined as never });
  const resourceId = (reply.body as { id?: string } | undefined)?.id ?? params?.id;
  return {
    method: op.method,
    ...(op.bulkId ? { bulkId: op.bulkId } : {}),
    ...(resourceId
      ? { location: `${input.base}${path.startsWith('/Groups') ? '/Groups' : '/Users'}/${resourceId}` }
      : {}),
    ...(reply.headers?.etag ? { version: reply.headers.etag } : {}),
    status: String(reply.status),
  };
}

export const bulkResponse = (operations: BulkOperationResult[]) => ({
  schemas: [SCIM.bulkResponse],
  Operations: operations,
});
