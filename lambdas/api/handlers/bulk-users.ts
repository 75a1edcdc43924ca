import { logger } from '#adapters/logger.ts';
import { apiHandler } from '#http/api-handler.ts';
import { bulkUsers } from '#services/bulk.ts';
import { bulkReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.bulkUsers, {
  run: ({ body, caller, deps }) =>
    bulkUsers(deps, caller, body, (userId, error) =>
      logger.error('Bulk action failed for a user', { userId, action: body.action, error: error as Error }),
    ),
  reply: bulkReply,
});
