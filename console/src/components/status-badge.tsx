// A user's status: a colour for the eye, and the word itself for everyone (colour is never the only signal).
import type { UserStatus } from '#console/api/client.ts';

export const STATUS_LABELS = {
  active: 'Active',
  invited: 'Invited',
  inactive: 'Inactive',
  archived: 'Archived',
} as const satisfies Record<UserStatus, string>;

export function StatusBadge({ status }: { status: UserStatus }) {
  return <span className={`status status-${status}`}>{STATUS_LABELS[status]}</span>;
}
