// How SCIM results leave the SCIM function: resources with their ETag, list responses, and the attributes asked for.
import { etagOf, SCIM, scimGroup, scimUser } from '#domain/scim-resources.ts';
import type { User } from '#domain/user.ts';
import type { Reply } from '#http/api-handler.ts';
import type { ScimGroup } from '#services/scim-groups.ts';

export interface Projection {
  attributes?: string | undefined;
  excludedAttributes?: string | undefined;
}

/** Always returned, whatever `attributes` says (RFC 7643 §7: `returned: always`). */
const ALWAYS = new Set(['id', 'schemas', 'meta']);

/**
 * Only the attributes asked for (`attributes`), or all but those excluded (`excludedAttributes`); a
 * sub-attribute (`name.givenName`) keeps its whole attribute.
 */
export function project(resource: Record<string, unknown>, projection: Projection): Record<string, unknown> {
  const names = (list: string) =>
    new Set(
      list
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .map((n) => {
          // `urn:…:User:department` keeps the extension's object; `name.givenName` keeps `name`.
          if (/^urn:/i.test(n)) {
            const lower = n.toLowerCase();
            const ext = Object.keys(resource).find(
              (k) => k.startsWith('urn:') && lower.startsWith(`${k.toLowerCase()}:`),
            );
            return (ext ?? n).toLowerCase();
          }
          return (n.split('.')[0] ?? n).toLowerCase();
        }),
    );
  if (projection.attributes) {
    const keep = names(projection.attributes);
    return Object.fromEntries(
      Object.entries(resource).filter(([k]) => ALWAYS.has(k) || keep.has(k.toLowerCase())),
    );
  }
  if (projection.excludedAttributes) {
    const drop = names(projection.excludedAttributes);
    return Object.fromEntries(
      Object.entries(resource).filter(([k]) => ALWAYS.has(k) || !drop.has(k.toLowerCase())),
    );
  }
  return resource;
}

export function scimUserReply(user: User, base: string, status = 200, projection: Projection = {}): Reply {
  return {
    status,
    body: project(scimUser(user, base), projection),
    headers: {
      etag: etagOf(user.version),
      ...(status === 201 ? { location: `${base}/Users/${user.id}` } : {}),
    },
  };
}

export function scimGroupReply(group: ScimGroup, base: string, projection: Projection = {}): Reply {
  return {
    status: 200,
    body: project(scimGroup(group.role, base, group.members), projection),
    headers: { etag: etagOf(group.role.version) },
  };
}

export function listReply(resources: Record<string, unknown>[], total: number, startIndex: number): Reply {
  return {
    status: 200,
    body: {
      schemas: [SCIM.list],
      totalResults: total,
      startIndex,
      itemsPerPage: resources.length,
      Resources: resources,
    },
  };
}

/** A group is listed with its members unless they were excluded (as Entra ID asks) or not asked for. */
export function wantsMembers(projection: Projection): boolean {
  const list = (s?: string) => (s ?? '').split(',').map((n) => n.trim().toLowerCase());
  if (projection.attributes)
    return list(projection.attributes).some((n) => n === 'members' || n.startsWith('members.'));
  return !list(projection.excludedAttributes).includes('members');
}
