import { cursorKeySource } from '#adapters/cursor-keys.ts';
import { apiHandler } from '#http/api-handler.ts';
import { paging } from '#http/cursors.ts';
import { listUsers } from '#services/get-user.ts';
import { pageReply, toView } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(
  ROUTES.listUsers,
  {
    run: ({ query, caller, deps }) => listUsers(deps, caller, query),
    reply: (page) => pageReply(page, toView),
  },
  paging(cursorKeySource),
);
