import { apiHandler } from '#http/api-handler.ts';
import { createScimClient } from '#services/scim-clients.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.createScimClient, {
  run: ({ body, caller, deps }) => createScimClient(deps, caller, body.name),
  // no-store: the secret is in this answer and nowhere else.
  reply: (created) => ({ status: 201, body: created, headers: { 'cache-control': 'no-store' } }),
});
