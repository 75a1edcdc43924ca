import { apiHandler } from '#http/api-handler.ts';
import { createUser } from '#services/create-user.ts';
import { userReply } from '../replies.ts';
import { ROUTES } from '../routes.ts';

export const handler = apiHandler(
  ROUTES.createUser,
  async ({ body: { activate, ...profile }, caller, deps }) =>
    userReply(await createUser(deps, caller, profile, activate), 201),
);
