import { cursorKeySource } from '#adapters/cursor-keys.ts';
import { apiHandler } from '#http/api-handler.ts';
import { paging } from '#http/cursors.ts';
import { listJobs } from '#services/jobs.ts';
import { jobView, pageReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(
  ROUTES.listJobs,
  {
    run: ({ query, caller, deps }) => listJobs(deps, caller, query),
    reply: (page) => pageReply(page, jobView),
  },
  paging(cursorKeySource),
);
