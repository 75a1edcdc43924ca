import { apiHandler } from '#http/api-handler.ts';
import { editRole } from '#services/roles.ts';
import { roleReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.editRole, {
  run: ({ params, body, version, caller, deps }) => editRole(deps, caller, params.roleId, version, body),
  reply: (role) => roleReply(role),
});
