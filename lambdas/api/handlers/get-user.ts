import { apiHandler } from '#http/api-handler.ts';
import { getUser } from '#services/get-user.ts';
import { userReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.getUser, {
  run: ({ params, caller, deps }) => getUser(deps, caller, params.userId),
  reply: (user) => userReply(user),
});
