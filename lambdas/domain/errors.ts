// Named domain errors; the HTTP layer maps each name to a status and a problem type.

/** Every error the API may answer with: the problem table maps each (and a new one fails the build until it does). */
export const ERROR_CODES = [
  'InvalidInput',
  'Unauthenticated',
  'Forbidden',
  'UserNotFound',
  'RoleNotFound',
  'JobNotFound',
  'JobFinished',
  'EmailTaken',
  'InvalidTransition',
  'LastAdministrator',
  'RequestInProgress',
  'NoLogin',
  'RoleRuleBroken',
  'RoleInUse',
  'RoleProtected',
  'LicenceLimitReached',
  'NotificationRuleBroken',
  'VersionConflict',
  'IdempotencyKeyReused',
  'PreconditionRequired',
  'Throttled',
  'Unavailable',
  'ScimTokenNotFound',
  'ScimTokenLimit',
  'ScimClientNotFound',
  'ScimClientLimit',
  // SCIM's refusals, each with its own status and scimType (answered only by the SCIM function).
  'ScimRefused',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

export class UserNotFound extends DomainError {
  readonly code = 'UserNotFound';
  constructor() {
    // Same words whether the user never existed or belongs to another tenant (DESIGN rule 3).
    super('No such user.');
  }
}

export class EmailTaken extends DomainError {
  readonly code = 'EmailTaken';
  constructor(readonly email: string) {
    super('Another user of this tenant already has this email.');
  }
}

export class InvalidTransition extends DomainError {
  readonly code = 'InvalidTransition';
  constructor(
    readonly action: string,
    readonly status: string,
  ) {
    super(`Cannot ${action} a user whose status is ${status}.`);
  }
}

export class VersionConflict extends DomainError {
  readonly code = 'VersionConflict';
  constructor() {
    super('The user was changed by someone else; read it again and retry.');
  }
}

export class Unauthenticated extends DomainError {
  readonly code = 'Unauthenticated';
}

export class Forbidden extends DomainError {
  readonly code = 'Forbidden';
}

export interface FieldIssue {
  field: string;
  message: string;
}

export class InvalidInput extends DomainError {
  readonly code = 'InvalidInput';
  constructor(readonly issues: FieldIssue[]) {
    super(`Invalid ${issues.map((i) => i.field).join(', ')}.`);
  }
}

export function assertIsError(value: unknown): asserts value is Error {
  if (!(value instanceof Error)) throw new Error(`Unexpected non-error thrown: ${String(value)}`);
}

export class LastAdministrator extends DomainError {
  readonly code = 'LastAdministrator';
  constructor(action: string) {
    super(
      `Cannot ${action} the last active administrator of the tenant; make someone else an administrator first.`,
    );
  }
}

export class PreconditionRequired extends DomainError {
  readonly code = 'PreconditionRequired';
  constructor() {
    super(
      'Send If-Match with the ETag of your last read of this user, so no one else’s change is overwritten.',
    );
  }
}

export class RequestInProgress extends DomainError {
  readonly code = 'RequestInProgress';
  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry shortly.');
  }
}

export class IdempotencyKeyReused extends DomainError {
  readonly code = 'IdempotencyKeyReused';
  constructor() {
    super('This Idempotency-Key was used for a different request; use a new key for a new request.');
  }
}

export class NoLogin extends DomainError {
  readonly code = 'NoLogin';
  constructor(status: string) {
    super(`The user has no login yet (status ${status}); activate them first.`);
  }
}

export class RoleRuleBroken extends DomainError {
  readonly code = 'RoleRuleBroken';
}

export class RoleNotFound extends DomainError {
  readonly code = 'RoleNotFound';
  constructor() {
    super('No such role.');
  }
}

export class RoleInUse extends DomainError {
  readonly code = 'RoleInUse';
  constructor(
    readonly role: string,
    readonly holders: number,
  ) {
    super(`${role} is held by ${holders} user${holders === 1 ? '' : 's'}; take it from them first.`);
  }
}

export class RoleProtected extends DomainError {
  readonly code = 'RoleProtected';
  constructor(role: string) {
    super(`${role} carries every Gatehouse permission and cannot be changed or deleted.`);
  }
}

export class LicenceLimitReached extends DomainError {
  readonly code = 'LicenceLimitReached';
  constructor(readonly licence: string) {
    super(`Every ${licence} licence is taken; free one or buy more seats.`);
  }
}

export class ScimTokenLimit extends DomainError {
  readonly code = 'ScimTokenLimit';
  constructor(limit: number) {
    super(`A tenant may have at most ${limit} SCIM tokens; revoke one first.`);
  }
}

export class ScimTokenNotFound extends DomainError {
  readonly code = 'ScimTokenNotFound';
  constructor() {
    super('No such SCIM token.');
  }
}

export class ScimClientLimit extends DomainError {
  readonly code = 'ScimClientLimit';
  constructor(limit: number) {
    super(`A tenant may have at most ${limit} SCIM OAuth clients; revoke one first.`);
  }
}

export class ScimClientNotFound extends DomainError {
  readonly code = 'ScimClientNotFound';
  constructor() {
    super('No such SCIM OAuth client.');
  }
}

export class NotificationRuleBroken extends DomainError {
  readonly code = 'NotificationRuleBroken';
  constructor() {
    super('Work-order dispatch emails are only for users who hold a technician-level role.');
  }
}

/** AWS throttled a call, or a concurrent transaction won: the same request a moment later will do. */
export class Throttled extends DomainError {
  readonly code = 'Throttled';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests at once; retry in ${retryAfterSeconds} s.`);
  }
}

/** An AWS service answered with its own server error: nothing of ours is wrong, and a retry may succeed. */
export class Unavailable extends DomainError {
  readonly code = 'Unavailable';
  constructor(readonly retryAfterSeconds: number) {
    super(`A service Gatehouse depends on is unavailable; retry in ${retryAfterSeconds} s.`);
  }
}

export class JobNotFound extends DomainError {
  readonly code = 'JobNotFound';
  constructor() {
    // Same words whether the job never existed or is another tenant's (DESIGN rule 3).
    super('No such job.');
  }
}

export class JobFinished extends DomainError {
  readonly code = 'JobFinished';
  constructor(state: string) {
    super(`The job is ${state}: nothing is left to cancel.`);
  }
}
