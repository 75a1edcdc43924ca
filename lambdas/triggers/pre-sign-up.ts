// Cognito PreSignUp: a first sign-in through the tenant's identity provider is linked to the profile with that
// email, or refused in plain words. Gatehouse creates every other login itself (AdminCreateUser), and lets it be.
import type { Context, PreSignUpTriggerEvent } from 'aws-lambda';
import { logger } from '#adapters/logger.ts';
import { createDirectory } from '#adapters/wiring.ts';
import { linkFederatedSignIn } from '#services/federated-sign-in.ts';
import { TRIGGER_DIRECTORY } from './needs.ts';
import { federatedSubject, RETIRED_MESSAGE, tenantOfPool, triggerDeps } from './trigger-runtime.ts';

const deps = triggerDeps('preSignUp');

// The one trigger that acts in Cognito (its role may create a login, read it back and link to it: lib/access.ts).
const directory = createDirectory(TRIGGER_DIRECTORY.preSignUp);

export async function handler(event: PreSignUpTriggerEvent, context: Context) {
  if (event.triggerSource !== 'PreSignUp_ExternalProvider') return event;
  // The tenant is the pool's (registry, by issuer): provider names need not be unique across tenants.
  const tenant = await tenantOfPool(event);
  if (tenant.status !== 'active') {
    logger.info('Federated sign-in refused', { tenant: tenant.id, reason: 'tenant retired' });
    throw new Error(RETIRED_MESSAGE);
  }
  const federated = federatedSubject(tenant, event.userName);
  // A provider the tenant's record does not name: the pool's configuration and the registry disagree; nobody gets in.
  if (!federated) throw new Error('This sign-in is not set up. Please contact your administrator');
  const { sso, subject } = federated;
  const outcome = await linkFederatedSignIn(
    { ...deps, directory },
    {
      tenant: { id: tenant.id, userPoolId: event.userPoolId },
      identity: { provider: sso.provider, subject },
      email: event.request.userAttributes.email?.toLowerCase(),
      requestId: context.awsRequestId,
    },
    { licenceRequired: tenant.licenceRequired },
  );
  if ('refused' in outcome) {
    logger.info('Federated sign-in refused', { tenant: tenant.id, reason: outcome.refused });
    // Cognito shows this message to the person signing in, adding a full stop of its own.
    throw new Error(outcome.refused.replace(/\.$/, ''));
  }
  logger.info('Federated identity linked', { tenant: tenant.id, user: outcome.linked.id });
  // The person signs in as the linked login, which exists already: nothing of the event's user is created.
  return event;
}
