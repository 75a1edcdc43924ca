// How users leave the API: internal fields dropped, the version as the ETag for If-Match.
import type { User } from '#domain/user.ts';
import type { Reply } from '#http/api-handler.ts';
import type { UserView } from './schemas.ts';

export function toView(user: User): UserView {
  const { cognitoSub: _internal, ...view } = user;
  return view;
}

export function userReply(user: User, status = 200): Reply {
  return { status, body: toView(user), headers: { etag: `"${user.version}"` } };
}
