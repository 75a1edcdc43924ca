import { apiHandler } from '#http/api-handler.ts';
import { createRole } from '#services/roles.ts';
import { roleReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.createRole, {
  run: ({ body, caller, deps }) => createRole(deps, caller, body),
  reply: (role) => roleReply(role, 201),
});
