// Which of the directory's operations each trigger sends to Cognito: declared once here, read by its handler
// (createDirectory) and by CDK and the bench through TRIGGERS (lib/access.ts), so the bundle and the wiring cannot
// drift. A module of its own: CDK reads it without running a trigger's start-up.
import type { DirectoryNeeds } from '#adapters/wiring.ts';

export const TRIGGER_DIRECTORY = {
  /** A first federated sign-in: the login is created silently (or an earlier attempt's adopted), then linked. */
  preSignUp: ['createSilentLogin', 'linkIdentity'],
} as const satisfies Record<string, DirectoryNeeds>;
