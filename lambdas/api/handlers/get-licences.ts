import { apiHandler } from '#http/api-handler.ts';
import { licenceUsage } from '#services/get-user.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.getLicences, {
  run: ({ caller, deps }) => licenceUsage(deps, caller),
  reply: (items) => ({ status: 200, body: { items } }),
});
