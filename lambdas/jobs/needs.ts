// What each scheduled job's function uses besides DynamoDB's client, the user reads and the role catalogue, and
// which of the directory's operations it sends to Cognito: declared once here, read by its handler (createDeps) and
// by CDK and the bench through JOBS (lib/access.ts), so the bundle and the wiring cannot drift. A module of its own:
// CDK reads it without running a handler's start-up.
import type { DirectoryNeeds, Needs } from '#adapters/wiring.ts';

/**
 * The directory operations the bulk actions send (activate, deactivate, archive, reset-password, resend), an
 * undo included: the bulk route's for the users it acts on inside the request, the job worker's for the rest, so
 * the two cannot differ. An import's create is among them.
 */
export const BULK_DIRECTORY = [
  'createLogin',
  'undoCreateLogin',
  'enableLogin',
  'disableLogin',
  'resendInvitation',
  'resetPassword',
] as const satisfies DirectoryNeeds;

export const JOB_NEEDS = {
  /** Repairs drift between pools and profiles: Cognito's logins, every profile read and rewritten; nothing else. */
  reconcile: {
    clients: ['cognito'],
    stores: ['userList', 'userWrites'],
    directory: ['listLogins', 'deleteLogin', 'disableLogin', 'enableLogin', 'changeEmail'],
  },
  /** Runs bulk jobs and imports: each item as its route would act (Cognito, SES), on the jobs and their items. */
  jobWorker: {
    clients: ['cognito', 'ses'],
    stores: ['jobWork', 'idempotency', 'userWrites'],
    directory: BULK_DIRECTORY,
  },
} as const satisfies Record<string, Needs>;
