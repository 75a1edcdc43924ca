import { apiHandler } from '#http/api-handler.ts';
import { listScimTokens } from '#services/scim-tokens.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.listScimTokens, {
  run: ({ caller, deps }) => listScimTokens(deps, caller),
  reply: (items) => ({ status: 200, body: { items } }),
});
