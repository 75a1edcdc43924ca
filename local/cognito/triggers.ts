// cognito-local's triggers, made to fail the Cognito call when the function fails, as AWS does.
import { CognitoError, UserLambdaValidationError } from 'cognito-local/lib/errors.js';
import type { Lambda } from 'cognito-local/lib/services/lambda.js';
import { LambdaService } from 'cognito-local/lib/services/lambda.js';
import type { Triggers, TriggersService } from 'cognito-local/lib/services/triggers/triggers.js';
import { attributesToRecord } from 'cognito-local/lib/services/userPoolService.js';

export const CODE_PARAMETER = '{####}';
export const USERNAME_PARAMETER = '{username}';

/**
 * LambdaService names the *function* in UserLambdaValidationException ("fn-name failed with error x.");
 * AWS names the *trigger* ("PostAuthentication failed with error x."), which callers may match on.
 */
export class AwsLambdaService extends LambdaService {
  readonly #functions: Partial<Record<string, string>>;

  constructor(...args: ConstructorParameters<typeof LambdaService>) {
    super(...args);
    this.#functions = { ...args[0] };
  }

  override async invoke(...args: Parameters<LambdaService['invoke']>): ReturnType<LambdaService['invoke']> {
    const [, trigger] = args;
    try {
      return await super.invoke(...args);
    } catch (error: unknown) {
      const fn = this.#functions[trigger];
      if (error instanceof CognitoError && error.code === 'UserLambdaValidationException' && fn) {
        const prefix = `${fn} failed with error `;
        const detail = error.message.startsWith(prefix)
          ? error.message.slice(prefix.length)
          : `${error.message}.`;
        throw new UserLambdaValidationError(`${trigger} failed with error ${detail}`);
      }
      throw error;
    }
  }
}

/**
 * cognito-local catches and logs failures of CustomMessage, PostAuthentication and PostConfirmation and carries
 * on; AWS fails the API call with UserLambdaValidationException. These replacements send the same events but let
 * the error through. The other triggers already propagate errors and are kept.
 */
export function awsTriggers(base: TriggersService, lambda: Lambda): Triggers {
  return {
    enabled: (trigger) => base.enabled(trigger),
    customEmailSender: base.customEmailSender,
    preSignUp: base.preSignUp,
    preTokenGeneration: base.preTokenGeneration,
    userMigration: base.userMigration,

    async customMessage(
      ctx,
      { clientId, clientMetadata, code, source, userAttributes, username, userPoolId },
    ) {
      const response = await lambda.invoke(ctx, 'CustomMessage', {
        clientId,
        clientMetadata,
        codeParameter: CODE_PARAMETER,
        triggerSource: source,
        userAttributes: attributesToRecord(userAttributes),
        username,
        usernameParameter: USERNAME_PARAMETER,
        userPoolId,
      });
      // Every occurrence is replaced (cognito-local replaces only the first), by functions so that a `$$` or `$&` in
      // a password is not read as a replacement pattern; null/empty keeps the pool's template.
      const fill = (text: string | null | undefined) =>
        text
          ? text.replaceAll(CODE_PARAMETER, () => code).replaceAll(USERNAME_PARAMETER, () => username)
          : null;
      return {
        emailMessage: fill(response?.emailMessage),
        emailSubject: response?.emailSubject || null,
        smsMessage: fill(response?.smsMessage),
      };
    },

    async postAuthentication(
      ctx,
      { clientId, clientMetadata, source, userAttributes, username, userPoolId },
    ) {
      await lambda.invoke(ctx, 'PostAuthentication', {
        clientId,
        clientMetadata,
        triggerSource: source,
        userAttributes: attributesToRecord(userAttributes),
        username,
        userPoolId,
      });
    },

    async postConfirmation(ctx, { clientId, clientMetadata, source, userAttributes, username, userPoolId }) {
      await lambda.invoke(ctx, 'PostConfirmation', {
        clientId,
        clientMetadata,
        triggerSource: source,
        userAttributes: attributesToRecord(userAttributes),
        username,
        userPoolId,
      });
    },
  };
}
