import { apiHandler } from '#http/api-handler.ts';
import { getJob } from '#services/jobs.ts';
import { jobView } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.getJob, {
  run: ({ params, caller, deps }) => getJob(deps, caller, params.jobId),
  reply: (job) => ({ status: 200, body: jobView(job) }),
});
