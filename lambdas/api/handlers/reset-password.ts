import { apiHandler } from '#http/api-handler.ts';
import { resetPassword } from '#services/passwords.ts';
import { deliveryReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.resetPassword, {
  run: ({ params, caller, deps }) => resetPassword(deps, caller, params.userId),
  reply: deliveryReply,
});
