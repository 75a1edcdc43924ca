// The SCIM function: one implementation per route of the SCIM route table, each a use case and its reply.

import { ScimRefused } from '#domain/scim-filter.ts';
import { scimGroup, scimUser } from '#domain/scim-resources.ts';
import { bulkResponse, runBulk } from '#http/scim-bulk.ts';
import { scimImplementation as route, type ScimImplementations, scimHandler } from '#http/scim-handler.ts';
import {
  scimCreateGroup,
  scimDeleteGroup,
  scimGetGroup,
  scimListGroups,
  scimPatchGroup,
  scimReplaceGroup,
} from '#services/scim-groups.ts';
import {
  scimCreateUser,
  scimDeleteUser,
  scimListUsers,
  scimPatchUser,
  scimReplaceUser,
  visibleUser,
} from '#services/scim-users.ts';
import {
  RESOURCE_TYPES,
  resourceTypeById,
  SCHEMAS,
  SERVICE_PROVIDER_CONFIG,
  schemaById,
} from '../scim-discovery.ts';
import { listReply, project, scimGroupReply, scimUserReply, wantsMembers } from '../scim-replies.ts';

const noContent = () => ({ status: 204 });

/** RFC 7644 §3.12: an unknown resource is 404, with no scimType. */
const found = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new ScimRefused(404, undefined, `No such ${what}.`);
  return value;
};

const IMPLEMENTATIONS: ScimImplementations = {
  scimServiceProviderConfig: route('scimServiceProviderConfig', {
    run: async () => SERVICE_PROVIDER_CONFIG,
    reply: (config) => ({ status: 200, body: config }),
  }),
  scimResourceTypes: route('scimResourceTypes', {
    run: async () => RESOURCE_TYPES,
    reply: (types) => listReply(types, types.length, 1),
  }),
  scimSchemas: route('scimSchemas', {
    run: async () => SCHEMAS,
    reply: (schemas) => listReply(schemas, schemas.length, 1),
  }),
  scimGetResourceType: route('scimGetResourceType', {
    run: async ({ params }) => found(resourceTypeById(params.id), 'resource type'),
    reply: (type) => ({ status: 200, body: type }),
  }),
  scimGetSchema: route('scimGetSchema', {
    run: async ({ params }) => found(schemaById(params.id), 'schema'),
    reply: (schema) => ({ status: 200, body: schema }),
  }),
  scimSearchUsers: route('scimSearchUsers', {
    run: async ({ body, caller, deps }) => ({ page: await scimListUsers(deps, caller, body), query: body }),
    reply: ({ page, query }, { base }) =>
      listReply(
        page.users.map((u) => project(scimUser(u, base), query)),
        page.total,
        query.startIndex,
      ),
  }),
  scimBulk: route('scimBulk', {
    run: ({ body, caller, deps, base, event }) =>
      runBulk(body, IMPLEMENTATIONS, { caller, deps, base, event }),
    reply: (operations) => ({ status: 200, body: bulkResponse(operations) }),
  }),
  scimListUsers: route('scimListUsers', {
    run: ({ query, caller, deps }) => scimListUsers(deps, caller, query),
    reply: ({ total, users }, { base, query }) =>
      listReply(
        users.map((u) => project(scimUser(u, base), query)),
        total,
        query.startIndex,
      ),
  }),
  scimCreateUser: route('scimCreateUser', {
    run: ({ body, caller, deps }) => scimCreateUser(deps, caller, body),
    reply: (user, { base }) => scimUserReply(user, base, 201),
  }),
  scimGetUser: route('scimGetUser', {
    run: ({ params, caller, deps }) => visibleUser(deps, caller, params.id),
    reply: (user, { base, query }) => scimUserReply(user, base, 200, query),
  }),
  scimReplaceUser: route('scimReplaceUser', {
    run: ({ params, body, ifMatch, caller, deps }) => scimReplaceUser(deps, caller, params.id, body, ifMatch),
    reply: (user, { base }) => scimUserReply(user, base),
  }),
  scimPatchUser: route('scimPatchUser', {
    run: ({ params, body, ifMatch, caller, deps }) =>
      scimPatchUser(deps, caller, params.id, body.Operations, ifMatch),
    reply: (user, { base }) => scimUserReply(user, base),
  }),
  scimDeleteUser: route('scimDeleteUser', {
    run: ({ params, caller, deps }) => scimDeleteUser(deps, caller, params.id),
    reply: noContent,
  }),
  scimListGroups: route('scimListGroups', {
    run: ({ query, caller, deps }) =>
      scimListGroups(deps, caller, { ...query, withMembers: wantsMembers(query) }),
    reply: ({ total, groups }, { base, query }) =>
      listReply(
        groups.map((g) => project(scimGroup(g.role, base, g.members), query)),
        total,
        query.startIndex,
      ),
  }),
  scimSearchGroups: route('scimSearchGroups', {
    run: async ({ body, caller, deps }) => ({
      page: await scimListGroups(deps, caller, { ...body, withMembers: wantsMembers(body) }),
      query: body,
    }),
    reply: ({ page, query }, { base }) =>
      listReply(
        page.groups.map((g) => project(scimGroup(g.role, base, g.members), query)),
        page.total,
        query.startIndex,
      ),
  }),
  scimCreateGroup: route('scimCreateGroup', {
    run: ({ body, caller, deps }) => scimCreateGroup(deps, caller, body),
    reply: noContent,
  }),
  scimGetGroup: route('scimGetGroup', {
    run: ({ params, query, caller, deps }) => scimGetGroup(deps, caller, params.id, wantsMembers(query)),
    reply: (group, { base, query }) => scimGroupReply(group, base, query),
  }),
  scimReplaceGroup: route('scimReplaceGroup', {
    run: ({ params, body, caller, deps }) => scimReplaceGroup(deps, caller, params.id, body),
    reply: (group, { base }) => scimGroupReply(group, base),
  }),
  scimPatchGroup: route('scimPatchGroup', {
    run: ({ params, body, caller, deps }) => scimPatchGroup(deps, caller, params.id, body.Operations),
    reply: (group, { base }) => scimGroupReply(group, base),
  }),
  scimDeleteGroup: route('scimDeleteGroup', {
    run: ({ params, caller, deps }) => scimDeleteGroup(deps, caller, params.id),
    reply: noContent,
  }),
};

export const handler = scimHandler(IMPLEMENTATIONS);
