// History entries: who did what to a user, when, and which fields changed from what to what.
import type { Actor } from './user.ts';

export interface FieldChange {
  before?: unknown;
  after?: unknown;
}

export interface HistoryEntry {
  id: string;
  /** The user changed; for a change of a role, `role:<id>`. */
  userId: string;
  at: string;
  actor: Actor;
  action: string;
  requestId: string;
  changes: Record<string, FieldChange>;
}

/**
 * Left out of entries: bookkeeping every change moves, and the internal login id, which the API never shows
 * either.
 */
const NOT_RECORDED = new Set<string>([
  'version',
  'updatedAt',
  'updatedBy',
  'createdAt',
  'createdBy',
  'id',
  'cognitoSub',
]);

/** The fields that differ between two versions of a user (either may be absent: create, delete). */
export function diff<T extends object>(
  before: T | undefined,
  after: T | undefined,
): Record<string, FieldChange> {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: Record<string, FieldChange> = {};
  for (const key of [...keys].sort()) {
    if (NOT_RECORDED.has(key)) continue;
    const was = before?.[key as keyof T];
    const now = after?.[key as keyof T];
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    changes[key] = {
      ...(was === undefined ? {} : { before: was }),
      ...(now === undefined ? {} : { after: now }),
    };
  }
  return changes;
}
