import { apiHandler } from '#http/api-handler.ts';
import { emailUser } from '#services/email.ts';
import { emailReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.emailUser, {
  run: ({ params, body, caller, deps }) => emailUser(deps, caller, params.userId, body),
  reply: emailReply,
});
