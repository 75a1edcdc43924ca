// A store's position in a list, as a short string naming no key attribute; the HTTP layer seals it (MAC) before
// it leaves the API, so what comes back here was issued here. It is still checked against the partition the
// caller may read: a position never leads where the query itself could not.
import { InvalidInput } from '#domain/errors.ts';

const MAX = 300;

export function encodePosition(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** The `count` non-empty strings of a position, or 400 naming `query.cursor`. */
export function decodePosition(position: string, count: number): string[] {
  let values: unknown;
  try {
    values = JSON.parse(position);
  } catch {
    values = undefined;
  }
  if (
    Array.isArray(values) &&
    values.length === count &&
    values.every((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX)
  )
    return values as string[];
  throw new InvalidInput([
    { field: 'query.cursor', message: 'is not a cursor this API issued for this list' },
  ]);
}
