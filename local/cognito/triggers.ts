// cognito-local's triggers, made to fail the Cognito call when the function fails, as AWS does, plus the
// PreAuthentication trigger it lacks.
import type { PreAuthenticationTriggerEvent } from 'aws-lambda';
import type { Lambda as LambdaClient } from 'aws-sdk';
import {
  CognitoError,
  UnexpectedLambdaExceptionError,
  UserLambdaValidationError,
} from 'cognito-local/lib/errors.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import { LambdaService } from 'cognito-local/lib/services/lambda.js';
import type { Triggers, TriggersService } from 'cognito-local/lib/services/triggers/triggers.js';
import { attributesToRecord, type User } from 'cognito-local/lib/services/userPoolService.js';

export const CODE_PARAMETER = '{####}';
export const USERNAME_PARAMETER = '{username}';

/** What Cognito puts in callerContext.awsSdkVersion when the caller's SDK is not known (seen in real events). */
const AWS_SDK_VERSION = 'aws-sdk-unknown-unknown';
/** AWS's answer when a trigger's output is not a JSON object (e.g. a handler that returns nothing). */
const INVALID_OUTPUT = 'Invalid lambda function output : Invalid JSON';

/** The triggers cognito-local knows (its FunctionConfig keys) and the one added here. */
export type TriggerName = Parameters<LambdaService['enabled']>[0] | 'PreAuthentication';

export interface PreAuthenticationParams {
  clientId: string;
  /** The ClientMetadata of InitiateAuth / AdminInitiateAuth: AWS passes it as request.validationData. */
  clientMetadata: Record<string, string> | undefined;
  userPoolId: string;
  /** The username asked for; replaced by the user's own Username when the user exists. */
  username: string;
  /** The event's userName when it is not the user's own: a federated sign-in names the provider's user. */
  eventUserName?: string;
  /** Null when no user has that name (only reported when the app client hides user existence). */
  user: User | null;
  /** Whether the app client has PreventUserExistenceErrors ENABLED: only then does AWS send userNotFound. */
  reportUserNotFound: boolean;
}

/**
 * LambdaService names the *function* in UserLambdaValidationException ("fn-name failed with error x.");
 * AWS names the *trigger* ("PostAuthentication failed with error x."), which callers may match on.
 * It also gives every event AWS's common parameters (version "1", the pool's region) where cognito-local sends
 * version "0" and region "local", and invokes PreAuthentication, which cognito-local has no event for.
 */
export class AwsLambdaService extends LambdaService {
  readonly #functions: Partial<Record<string, string>>;
  readonly #client: LambdaClient;
  readonly #region: string;

  constructor(functions: Partial<Record<TriggerName, string>>, client: LambdaClient, region: string) {
    super(functions, withAwsCommonParameters(client, region));
    this.#functions = { ...functions };
    this.#client = client;
    this.#region = region;
  }

  /** Like enabled(), for every trigger this service can invoke, PreAuthentication included. */
  configured(trigger: TriggerName): boolean {
    return !!this.#functions[trigger];
  }

  /**
   * Invokes PreAuthentication with the event AWS sends (PreAuthentication_Authentication). A function error fails
   * the sign-in with UserLambdaValidationException "PreAuthentication failed with error <message>.". What the
   * function returns is ignored, as AWS ignores it, but it must be a JSON object (the event, usually).
   */
  async preAuthentication(ctx: Context, params: PreAuthenticationParams): Promise<void> {
    const functionName = this.#functions.PreAuthentication;
    if (!functionName) return;
    const { user } = params;
    const event: PreAuthenticationTriggerEvent = {
      version: '1',
      region: this.#region,
      userPoolId: params.userPoolId,
      userName: params.eventUserName ?? user?.Username ?? params.username,
      callerContext: { awsSdkVersion: AWS_SDK_VERSION, clientId: params.clientId },
      triggerSource: 'PreAuthentication_Authentication',
      request: {
        // AWS adds the user's status to the attributes it passes (PreAuthentication, PostAuthentication).
        userAttributes: user
          ? { ...attributesToRecord(user.Attributes), 'cognito:user_status': user.UserStatus ?? 'UNKNOWN' }
          : {},
        validationData: params.clientMetadata ?? {},
        ...(params.reportUserNotFound ? { userNotFound: user === null } : {}),
      },
      response: {},
    };
    await this.#invokeWith(ctx, 'PreAuthentication', functionName, event);
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

  /** LambdaService.invoke's handling of the call and its errors, for an event built here. */
  async #invokeWith(
    ctx: Context,
    trigger: TriggerName,
    functionName: string,
    event: object,
  ): Promise<unknown> {
    let result: LambdaClient.InvocationResponse;
    try {
      result = await this.#client
        .invoke({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: JSON.stringify(event),
        })
        .promise();
    } catch (error: unknown) {
      ctx.logger.error(error);
      throw new UnexpectedLambdaExceptionError();
    }
    const payload = parsePayload(result.Payload);
    if (result.FunctionError) {
      ctx.logger.error({ result }, result.FunctionError);
      const message =
        isRecord(payload) && typeof payload.errorMessage === 'string' ? payload.errorMessage : '';
      throw new UserLambdaValidationError(`${trigger} failed with error ${message || result.FunctionError}.`);
    }
    if (!isRecord(payload)) throw new CognitoError('InvalidLambdaResponseException', INVALID_OUTPUT);
    return payload.response;
  }
}

/** The Lambda client cognito-local invokes through, with AWS's common parameters put in every event it sends. */
function withAwsCommonParameters(client: LambdaClient, region: string): LambdaClient {
  const invoke = (params: LambdaClient.InvocationRequest) => {
    const event = parsePayload(params.Payload);
    const Payload = isRecord(event) ? JSON.stringify({ ...event, version: '1', region }) : params.Payload;
    return client.invoke({ ...params, Payload });
  };
  // cognito-local calls nothing but invoke(params).promise().
  return { invoke } as unknown as LambdaClient;
}

function parsePayload(payload: LambdaClient.InvocationResponse['Payload']): unknown {
  if (payload === undefined) return undefined;
  try {
    return JSON.parse(
      typeof payload === 'string' ? payload : Buffer.from(payload as Uint8Array).toString('utf8'),
    );
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** cognito-local's Triggers and PreAuthentication. */
export interface AwsTriggers extends Triggers {
  enabled(trigger: TriggerName): boolean;
  preAuthentication(ctx: Context, params: PreAuthenticationParams): Promise<void>;
}

/**
 * cognito-local catches and logs failures of CustomMessage, PostAuthentication and PostConfirmation and carries
 * on; AWS fails the API call with UserLambdaValidationException. These replacements send the same events but let
 * the error through. The other triggers already propagate errors and are kept.
 */
export function awsTriggers(base: TriggersService, lambda: AwsLambdaService): AwsTriggers {
  return {
    enabled: (trigger) => lambda.configured(trigger),
    preAuthentication: (ctx, params) => lambda.preAuthentication(ctx, params),
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
