import { apiHandler } from '#http/api-handler.ts';
import { listUsers } from '#services/get-user.ts';
import { toView } from '../replies.ts';
import { ROUTES } from '../routes.ts';

export const handler = apiHandler(ROUTES.listUsers, async ({ query, caller, deps }) => {
  const page = await listUsers(deps, caller, query);
  return { status: 200, body: { items: page.items.map(toView), ...(page.next ? { next: page.next } : {}) } };
});
