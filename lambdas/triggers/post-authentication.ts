// Cognito PostAuthentication: records the sign-in; the first one (new password set) makes the user active.
import type { Context, PostAuthenticationTriggerEvent } from 'aws-lambda';
import { logger } from '#adapters/logger.ts';
import { DomainError } from '#domain/errors.ts';
import { recordSignIn } from '#services/record-sign-in.ts';
import { RETIRED_MESSAGE, tenantOf, triggerDeps } from './trigger-runtime.ts';

const deps = triggerDeps('postAuthentication');

export async function handler(event: PostAuthenticationTriggerEvent, context: Context) {
  const attributes = event.request.userAttributes;
  const tenant = await tenantOf(event);
  // PreAuthentication refused it already; a token refreshed meanwhile must not record a sign-in either.
  if (tenant.status !== 'active') throw new Error(RETIRED_MESSAGE);
  try {
    await recordSignIn(deps, {
      tenantId: tenant.id,
      userId: attributes['custom:userId'] ?? '',
      cognitoSub: attributes.sub ?? '',
      requestId: context.awsRequestId,
    });
  } catch (error) {
    // Cognito shows a trigger's error message to the person signing in: say it plainly.
    if (error instanceof DomainError) {
      logger.warn('Sign-in refused', { tenant: tenant.id, reason: error.code });
      throw new Error('Your account cannot sign in. Please contact your administrator.');
    }
    throw error;
  }
  return event;
}
