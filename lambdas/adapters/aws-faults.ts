// AWS errors that say "not now" rather than "no": throttling, lost transaction races, the services' own faults.
import { Throttled, Unavailable } from '#domain/errors.ts';

/** Error names of DynamoDB, Cognito and SES that mean too many calls (or a transaction that lost a race). */
const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'TransactionConflictException',
  'TransactionInProgressException',
]);
/** Cancellation reasons of a DynamoDB transaction that a retry can get past. */
const RETRYABLE_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

interface AwsError {
  name?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  CancellationReasons?: { Code?: string }[];
}

/**
 * The answer for an AWS error the SDK's own retries could not get past: 429 when it was throttling or a
 * conflicting transaction, 503 when the service failed; undefined for anything else (a bug: 500).
 */
export function transientFault(error: unknown): Throttled | Unavailable | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as AwsError;
  if (e.name && THROTTLING.has(e.name)) return new Throttled(1);
  if (e.name === 'TransactionCanceledException') {
    const reasons = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None').filter((c) => c !== 'None');
    if (reasons.length > 0 && reasons.every((c) => RETRYABLE_REASONS.has(c))) return new Throttled(1);
    return undefined;
  }
  if (e.$fault === 'server' && (e.$metadata?.httpStatusCode ?? 500) >= 500) return new Unavailable(2);
  return undefined;
}
