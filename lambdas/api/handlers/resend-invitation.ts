import { apiHandler } from '#http/api-handler.ts';
import { resendInvitation } from '#services/passwords.ts';
import { deliveryReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.resendInvitation, {
  run: ({ params, caller, deps }) => resendInvitation(deps, caller, params.userId),
  reply: deliveryReply,
});
