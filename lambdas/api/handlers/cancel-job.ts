import { apiHandler } from '#http/api-handler.ts';
import { cancelJob } from '#services/jobs.ts';
import { jobView } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.cancelJob, {
  run: ({ params, caller, deps }) => cancelJob(deps, caller, params.jobId),
  reply: (job) => ({ status: 200, body: jobView(job) }),
});
