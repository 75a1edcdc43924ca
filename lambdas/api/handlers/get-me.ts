import { apiHandler } from '#http/api-handler.ts';
import { userReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

// The authorisation read already fetched the caller's current profile: answering from it costs nothing more.
export const handler = apiHandler(ROUTES.getMe, {
  run: async ({ self }) => self,
  reply: (user) => userReply(user),
});
