import { apiHandler } from '#http/api-handler.ts';
import { listScimClients } from '#services/scim-clients.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.listScimClients, {
  run: ({ caller, deps }) => listScimClients(deps, caller),
  reply: (items) => ({ status: 200, body: { items } }),
});
