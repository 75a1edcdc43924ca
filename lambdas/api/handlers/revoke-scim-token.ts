import { apiHandler } from '#http/api-handler.ts';
import { revokeScimToken } from '#services/scim-tokens.ts';
import { noContent } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.revokeScimToken, {
  run: ({ params, caller, deps }) => revokeScimToken(deps, caller, params.tokenId),
  reply: noContent,
});
