import { apiHandler } from '#http/api-handler.ts';
import { deactivateUser } from '#services/lifecycle.ts';
import { userReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.deactivateUser, {
  run: ({ params, caller, deps }) => deactivateUser(deps, caller, params.userId),
  reply: (user) => userReply(user),
});
