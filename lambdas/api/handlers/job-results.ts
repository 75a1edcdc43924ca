import { cursorKeySource } from '#adapters/cursor-keys.ts';
import { apiHandler } from '#http/api-handler.ts';
import { paging } from '#http/cursors.ts';
import { jobResults } from '#services/jobs.ts';
import { outcomeView, pageReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(
  ROUTES.jobResults,
  {
    run: ({ params, query, caller, deps }) => jobResults(deps, caller, params.jobId, query),
    reply: (page) => pageReply(page, outcomeView),
  },
  paging(cursorKeySource),
);
