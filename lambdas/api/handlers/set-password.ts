import { apiHandler } from '#http/api-handler.ts';
import { setPassword } from '#services/passwords.ts';
import { noContent } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.setPassword, {
  run: ({ params, body, caller, deps }) => setPassword(deps, caller, params.userId, body),
  reply: noContent,
});
