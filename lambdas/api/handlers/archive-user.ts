import { apiHandler } from '#http/api-handler.ts';
import { archiveUser } from '#services/lifecycle.ts';
import { userReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.archiveUser, {
  run: ({ params, caller, deps }) => archiveUser(deps, caller, params.userId),
  reply: (user) => userReply(user),
});
