import { apiHandler } from '#http/api-handler.ts';
import { deleteUser } from '#services/lifecycle.ts';
import { noContent } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.deleteUser, {
  run: ({ params, body, caller, deps }) => deleteUser(deps, caller, params.userId, body.confirmEmail),
  reply: noContent,
});
