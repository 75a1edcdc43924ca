// What each Cognito trigger uses beside DynamoDB's client, the user reads and the role catalogue: the directory's
// operations it sends to Cognito and the stores it uses, declared once here, read by its handler (createDirectory,
// triggerDeps in ./trigger-runtime.ts) and by CDK and the bench through TRIGGERS (lib/access.ts), so the bundle and
// the wiring cannot drift. A module of its own: CDK reads it without running a trigger's start-up.
import type { DirectoryNeeds, StoreNeeds } from '#adapters/wiring.ts';

export const TRIGGER_STORES = {
  customMessage: [],
  /** Records the sign-in (lastLoginAt), and makes an invited user active on the first. */
  postAuthentication: ['userWrites'],
  preAuthentication: [],
  /** Writes the profile a first federated sign-in is linked to. */
  preSignUp: ['userWrites'],
  preTokenGeneration: [],
} as const satisfies Record<string, StoreNeeds>;

export type TriggerName = keyof typeof TRIGGER_STORES;

export const TRIGGER_DIRECTORY = {
  customMessage: [],
  postAuthentication: [],
  preAuthentication: [],
  /** A first federated sign-in: the login is created silently (or an earlier attempt's adopted), then linked. */
  preSignUp: ['createSilentLogin', 'linkIdentity'],
  preTokenGeneration: [],
} as const satisfies Record<TriggerName, DirectoryNeeds>;
