import { apiHandler } from '#http/api-handler.ts';
import { deleteRole } from '#services/roles.ts';
import { noContent } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.deleteRole, {
  run: ({ params, caller, deps }) => deleteRole(deps, caller, params.roleId),
  reply: noContent,
});
