// Cognito PreAuthentication: refuses, before any password is checked, a user Gatehouse would not let in.
import type { PreAuthenticationTriggerEvent } from 'aws-lambda';
import { logger } from '#adapters/logger.ts';
import { passwordRefusal, providerRequired } from '#domain/sign-in.ts';
import type { Tenant } from '#services/ports.ts';
import { signInRefusal } from '#services/sign-in.ts';
import { federatedSubject, RETIRED_MESSAGE, tenantOf, triggerDeps } from './trigger-runtime.ts';

const deps = triggerDeps('preAuthentication');

export async function handler(event: PreAuthenticationTriggerEvent) {
  // With user-existence errors prevented, Cognito asks about unknown users too: its own answer must stand.
  if ((event.request as { userNotFound?: boolean }).userNotFound) return event;
  const attributes = event.request.userAttributes;
  const tenant = await tenantOf(event);
  if (tenant.status !== 'active') {
    logger.info('Sign-in refused', { tenant: tenant.id, reason: 'tenant retired' });
    throw new Error(RETIRED_MESSAGE);
  }
  const refusal =
    (await signInRefusal(
      deps,
      { tenantId: tenant.id, userId: attributes['custom:userId'] ?? '', cognitoSub: attributes.sub ?? '' },
      { licenceRequired: tenant.licenceRequired },
    )) ?? passwordNotAllowed(event, tenant);
  if (refusal) {
    logger.info('Sign-in refused', { tenant: tenant.id, reason: refusal });
    // Cognito shows this message to the person signing in, adding a full stop of its own.
    throw new Error(refusal.replace(/\.$/, ''));
  }
  return event;
}

/**
 * A sign-in through the provider names the provider's user (`<provider>_<subject>`); any other sign-in of a
 * Gatehouse login (user name: its sub) is by password, refused where the tenant requires the provider.
 */
function passwordNotAllowed(event: PreAuthenticationTriggerEvent, tenant: Tenant): string | undefined {
  const sso = tenant.sso;
  if (!sso || federatedSubject(tenant, event.userName)) return undefined;
  const email = event.request.userAttributes.email ?? '';
  return providerRequired(sso, email) ? passwordRefusal(sso) : undefined;
}
