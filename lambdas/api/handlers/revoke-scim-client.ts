import { apiHandler } from '#http/api-handler.ts';
import { revokeScimClient } from '#services/scim-clients.ts';
import { noContent } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.revokeScimClient, {
  run: ({ params, caller, deps }) => revokeScimClient(deps, caller, params.clientId),
  reply: noContent,
});
