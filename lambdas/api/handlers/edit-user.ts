import { apiHandler } from '#http/api-handler.ts';
import { editUser } from '#services/edit-user.ts';
import { userReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.editUser, {
  run: ({ params, body, version, caller, deps }) => editUser(deps, caller, params.userId, version, body),
  reply: (user) => userReply(user),
});
