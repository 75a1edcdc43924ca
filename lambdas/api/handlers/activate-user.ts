import { apiHandler } from '#http/api-handler.ts';
import { activateUser } from '#services/lifecycle.ts';
import { userReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.activateUser, {
  run: ({ params, caller, deps }) => activateUser(deps, caller, params.userId),
  reply: (user) => userReply(user),
});
