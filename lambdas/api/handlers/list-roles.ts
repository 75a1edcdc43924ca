import { apiHandler } from '#http/api-handler.ts';
import { listRoles } from '#services/roles.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.listRoles, {
  run: ({ caller, deps }) => listRoles(deps, caller),
  reply: (roles) => ({ status: 200, body: { items: roles } }),
});
