import { logger } from '#adapters/logger.ts';
import { apiHandler } from '#http/api-handler.ts';
import { bulkUsers } from '#services/bulk.ts';
import { startBulkJob } from '#services/jobs.ts';
import { bulkOrJobReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';
import { BULK_AT_ONCE } from '../schemas.ts';

export const handler = apiHandler(ROUTES.bulkUsers, {
  run: ({ body, caller, deps }) => {
    // A few users are acted on inside the request, as before; more, or a search, become a job.
    if (body.userIds && body.userIds.length <= BULK_AT_ONCE) {
      return bulkUsers(deps, caller, { ...body, userIds: body.userIds }, (userId, error) =>
        logger.error('Bulk action failed for a user', { userId, action: body.action, error: error as Error }),
      );
    }
    return startBulkJob(deps, caller, body);
  },
  reply: bulkOrJobReply,
});
