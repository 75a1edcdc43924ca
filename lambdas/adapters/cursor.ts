// Opaque page cursors: the last key read, checked on the way back in against the partition the caller may read.
import { InvalidInput } from '#domain/errors.ts';

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export interface CursorBounds {
  /** The partition key must equal this. */
  pk?: string;
  /** The partition key must start with this. */
  pkPrefix?: string;
  /** The sort key must start with this. */
  skPrefix?: string;
  /** The byTenant index key must equal this. */
  tenantPk?: string;
}

/**
 * A cursor leads only where the caller could read anyway: every key it carries is checked against the
 * caller's tenant, so a cursor from elsewhere, or a forged one, is refused rather than followed.
 */
export function decodeCursor(cursor: string, bounds: CursorBounds): Record<string, string> {
  const key = parse(cursor);
  const ok =
    key !== undefined &&
    Object.keys(key).length <= 3 &&
    Object.values(key).every((v) => typeof v === 'string' && v.length <= 300) &&
    typeof key.pk === 'string' &&
    typeof key.sk === 'string' &&
    (bounds.pk === undefined || key.pk === bounds.pk) &&
    (bounds.pkPrefix === undefined || key.pk.startsWith(bounds.pkPrefix)) &&
    (bounds.skPrefix === undefined || key.sk.startsWith(bounds.skPrefix)) &&
    (bounds.tenantPk === undefined || key.tenantPk === bounds.tenantPk);
  if (!ok)
    throw new InvalidInput([
      { field: 'query.cursor', message: 'is not a cursor this API issued for this list' },
    ]);
  return key as Record<string, string>;
}

function parse(cursor: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
