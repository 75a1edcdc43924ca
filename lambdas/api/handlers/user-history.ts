import { cursorKeySource } from '#adapters/cursor-keys.ts';
import { apiHandler } from '#http/api-handler.ts';
import { paging } from '#http/cursors.ts';
import { readHistory } from '#services/history.ts';
import { pageReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(
  ROUTES.userHistory,
  {
    run: ({ params, query, caller, deps }) => readHistory(deps, caller, params.userId, query),
    reply: (page) => pageReply(page, (entry) => entry),
  },
  paging(cursorKeySource),
);
