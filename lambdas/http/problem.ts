// Errors as RFC 9457 problem+json: one table from error names to status and problem type.
import { ERROR_CODES, type ErrorCode, type FieldIssue } from '#domain/errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldIssue[];
}

const TYPE_BASE = 'https://gatehouse.dev/problems/';

const STATUSES = {
  InvalidInput: { status: 400, title: 'Invalid request' },
  Unauthenticated: { status: 401, title: 'Not signed in' },
  Forbidden: { status: 403, title: 'Not allowed' },
  UserNotFound: { status: 404, title: 'Not found' },
  EmailTaken: { status: 409, title: 'Email already in use' },
  InvalidTransition: { status: 409, title: 'Not possible in the current status' },
  LastAdministrator: { status: 409, title: 'Last administrator' },
  RequestInProgress: { status: 409, title: 'Request in progress' },
  NoLogin: { status: 409, title: 'Not possible in the current status' },
  RoleRuleBroken: { status: 409, title: 'Role rule broken' },
  RoleInUse: { status: 409, title: 'Role in use' },
  RoleProtected: { status: 409, title: 'Role protected' },
  LicenceLimitReached: { status: 409, title: 'No licence left' },
  RoleNotFound: { status: 404, title: 'Not found' },
  JobNotFound: { status: 404, title: 'Not found' },
  JobFinished: { status: 409, title: 'Job finished' },
  ScimTokenNotFound: { status: 404, title: 'Not found' },
  ScimTokenLimit: { status: 409, title: 'Too many SCIM tokens' },
  ScimClientNotFound: { status: 404, title: 'Not found' },
  ScimClientLimit: { status: 409, title: 'Too many SCIM OAuth clients' },
  VersionConflict: { status: 412, title: 'Changed by someone else' },
  IdempotencyKeyReused: { status: 422, title: 'Idempotency-Key reused' },
  PreconditionRequired: { status: 428, title: 'If-Match required' },
  NotificationRuleBroken: { status: 409, title: 'Notification rule broken' },
  Throttled: { status: 429, title: 'Too many requests' },
  Unavailable: { status: 503, title: 'Service unavailable' },
  ScimRefused: { status: 400, title: 'Refused' },
} as const satisfies Record<ErrorCode, { status: number; title: string }>;

const isErrorCode = (code: string): code is ErrorCode => (ERROR_CODES as readonly string[]).includes(code);

const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

/** The problem of a domain error, or of its name and words as kept in a stored result (a bulk action's). */
export function problemOf(error: { code: string; message: string; issues?: FieldIssue[] }): Problem {
  if (!isErrorCode(error.code)) return INTERNAL_PROBLEM;
  const known = STATUSES[error.code];
  return {
    type: TYPE_BASE + kebab(error.code),
    title: known.title,
    status: known.status,
    // Messages are for clients only below 500 (middy's rule): a 5xx says nothing about internals.
    ...(known.status < 500 || error.code === 'Unavailable' ? { detail: error.message } : {}),
    ...(error.issues ? { errors: error.issues } : {}),
  };
}

export const INTERNAL_PROBLEM: Problem = {
  type: `${TYPE_BASE}internal`,
  title: 'Internal error',
  status: 500,
  detail: 'Something went wrong on our side; the request may be retried.',
};
