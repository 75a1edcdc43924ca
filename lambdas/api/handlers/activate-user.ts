import { apiHandler } from '#http/api-handler.ts';
import { activateUser } from '#services/activate-user.ts';
import { userReply } from '../replies.ts';
import { ROUTES } from '../routes.ts';

export const handler = apiHandler(ROUTES.activateUser, async ({ params, caller, deps }) =>
  userReply(await activateUser(deps, caller, params.userId)),
);
