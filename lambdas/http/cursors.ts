// Page cursors as the API hands them out: the store's position, MAC'd together with what it is bound to.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CursorKeySource } from '#adapters/cursor-keys.ts';
import type { RouteDefinition } from '#api/routes.ts';
import type { Reach } from '#domain/access.ts';
import { InvalidInput } from '#domain/errors.ts';

/**
 * What a cursor is valid for: the tenant, the route, its path parameters and query (all but `cursor` and
 * `limit`: the page size may change between pages), and the caller's reach. None of it travels in the
 * cursor; it is recomputed from the request, so a cursor replayed anywhere else fails its MAC.
 */
export interface CursorBinding {
  tenantId: string;
  route: Pick<RouteDefinition, 'method' | 'path'>;
  params: unknown;
  query: unknown;
  reach: Reach;
}

const REFUSED = () =>
  new InvalidInput([{ field: 'query.cursor', message: 'is not a cursor this API issued for this list' }]);

/** A route paginates when its query takes a `cursor`: the one test, shared with CDK (which grants the key). */
export function paginates(route: RouteDefinition): boolean {
  const shape = (route.request.query as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape !== undefined && 'cursor' in shape;
}

export class CursorSealer {
  constructor(private readonly source: CursorKeySource) {}

  /** `<position>.<mac>`, both base64url; the position is the store's, which names no key attribute. */
  async seal(position: string, binding: CursorBinding): Promise<string> {
    const { current } = await this.source.keys();
    return `${Buffer.from(position, 'utf8').toString('base64url')}.${mac(current, position, binding).toString('base64url')}`;
  }

  /** The position inside a cursor this API issued for exactly this binding, under the current or the previous key. */
  async open(cursor: string, binding: CursorBinding): Promise<string> {
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(cursor);
    if (!match?.[1] || !match[2]) throw REFUSED();
    const position = Buffer.from(match[1], 'base64url').toString('utf8');
    // Base64url that does not round-trip (padding bits, invalid UTF-8) was not written by seal.
    if (Buffer.from(position, 'utf8').toString('base64url') !== match[1]) throw REFUSED();
    const given = Buffer.from(match[2], 'base64url');
    const verifies = (keys: { current: string; previous?: string }) =>
      [keys.current, keys.previous].some(
        (key) => key !== undefined && timingSafeEqual(mac(key, position, binding), given),
      );
    if (verifies(await this.source.keys())) return position;
    // Signed with a key this instance has not read yet (a rotation since): read the keys again, at most once a minute.
    if (verifies(await this.source.keys({ fresh: true }))) return position;
    throw REFUSED();
  }
}

function mac(key: string, position: string, b: CursorBinding): Buffer {
  const reach = b.reach.tenantWide
    ? 'tenant'
    : [[...b.reach.teams].sort(), [...b.reach.areas].sort(), [...b.reach.clients].sort()];
  const { cursor: _c, limit: _l, ...query } = (b.query ?? {}) as Record<string, unknown>;
  return createHmac('sha256', key)
    .update(
      JSON.stringify([
        'gatehouse-cursor-1',
        b.tenantId,
        b.route.method,
        b.route.path,
        canonical(b.params ?? {}),
        canonical(query),
        reach,
        position,
      ]),
    )
    .digest();
}

/** The same values in the same order, whatever order the request gave them in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]);
  }
  return value;
}

/** The request with its cursor opened into the store's position (a refused cursor is 400 naming `query.cursor`). */
export async function openCursor<R extends { query: unknown }>(
  sealer: CursorSealer,
  request: R,
  binding: CursorBinding,
): Promise<R> {
  const query = request.query as { cursor?: unknown } | undefined;
  if (typeof query?.cursor !== 'string') return request;
  return { ...request, query: { ...query, cursor: await sealer.open(query.cursor, binding) } };
}

/** The reply with its `next` position sealed into a cursor bound like the request it answers. */
export async function sealNext<R extends { body?: unknown }>(
  sealer: CursorSealer,
  reply: R,
  binding: CursorBinding,
): Promise<R> {
  const body = reply.body as { next?: unknown } | undefined;
  if (typeof body?.next !== 'string') return reply;
  return { ...reply, body: { ...body, next: await sealer.seal(body.next, binding) } };
}

/** A paginated route's cursors: its request's opened, its reply's `next` sealed, with the same binding. */
export interface Paging {
  open<R extends { query: unknown }>(request: R, binding: CursorBinding): Promise<R>;
  seal<R extends { body?: unknown }>(reply: R, binding: CursorBinding): Promise<R>;
}

/**
 * The paging of a route whose cursor keys come from `keys` (of its environment). Passed by a paginated route's
 * handler to apiHandler, so only the paginated routes' bundles carry the sealer and the key reader.
 */
export function paging<E>(keys: (env: E) => CursorKeySource): (env: E) => Paging {
  return (env) => {
    const sealer = new CursorSealer(keys(env));
    return {
      open: (request, binding) => openCursor(sealer, request, binding),
      seal: (reply, binding) => sealNext(sealer, reply, binding),
    };
  };
}
