// What a deployed function's SDK clients take their credentials from, in place of the SDK's default chain
// (@aws-sdk/credential-provider-node). Lambda puts the execution role's credentials in the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) before the runtime starts, so in a function the
// default chain always ends at its first link; its other links (SSO, ini profiles, login, process, web identity,
// container and instance metadata) and the STS/SSO clients they carry weigh about 135 KB in every bundle, read
// on every cold start. Only the bundling substitutes this module (`--alias` in lib/gatehouse-function.ts
// BUNDLING); unbundled (tests, `npm start`, scripts) the SDK's own chain is used. Kept to the signature the
// clients' runtime config calls (`defaultProvider(init)`), so nothing else of theirs changes.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> => {
  const fromEnvironment = fromEnv(init);
  return async () =>
    fromEnvironment().catch((error: unknown) => {
      // Said plainly: a function run somewhere that gives credentials another way would otherwise fail with
      // the SDK's generic message.
      throw new Error(
        'No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): a Gatehouse bundle takes them from there alone, as Lambda gives them (lambdas/adapters/lambda-credentials.ts)',
        { cause: error },
      );
    });
};
