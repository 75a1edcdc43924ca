import { apiHandler } from '#http/api-handler.ts';
import { restoreUser } from '#services/lifecycle.ts';
import { userReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.restoreUser, {
  run: ({ params, caller, deps }) => restoreUser(deps, caller, params.userId),
  reply: (user) => userReply(user),
});
