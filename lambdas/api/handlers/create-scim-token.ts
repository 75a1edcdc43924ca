import { apiHandler } from '#http/api-handler.ts';
import { createScimToken } from '#services/scim-tokens.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.createScimToken, {
  run: ({ body, caller, deps }) => createScimToken(deps, caller, body.name),
  // no-store: the token is in this answer and nowhere else.
  reply: (created) => ({ status: 201, body: created, headers: { 'cache-control': 'no-store' } }),
});
