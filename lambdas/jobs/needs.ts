// What each scheduled job's function uses besides DynamoDB's client, the user reads and the role catalogue, and
// which of the directory's operations it sends to Cognito: declared once here, read by its handler (createDeps) and
// by CDK and the bench through JOBS (lib/access.ts), so the bundle and the wiring cannot drift. A module of its own:
// CDK reads it without running a handler's start-up.
import type { Needs } from '#adapters/wiring.ts';

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
    // The bulk actions' (activate, deactivate, archive, reset-password) and an import's create.
    directory: [
      'createLogin',
      'deleteLogin',
      'enableLogin',
      'disableLogin',
      'resendInvitation',
      'resetPassword',
    ],
  },
} as const satisfies Record<string, Needs>;
