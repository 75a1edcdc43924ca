import { apiHandler } from '#http/api-handler.ts';
import { createUser } from '#services/create-user.ts';
import { userReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.createUser, {
  run: ({ body: { activate, ...profile }, caller, deps }) => createUser(deps, caller, profile, activate),
  reply: (user) => userReply(user, 201),
});
