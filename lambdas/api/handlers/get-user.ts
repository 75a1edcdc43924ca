import { apiHandler } from '#http/api-handler.ts';
import { getUser } from '#services/get-user.ts';
import { userReply } from '../replies.ts';
import { ROUTES } from '../routes.ts';

export const handler = apiHandler(ROUTES.getUser, async ({ params, caller, deps }) =>
  userReply(await getUser(deps, caller, params.userId)),
);
