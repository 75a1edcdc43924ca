// Cognito PreTokenGeneration: the tenant, the user, their roles and permissions go into the ID token.
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { tokenClaims } from '#services/sign-in.ts';
import { RETIRED_MESSAGE, tenantOf, triggerDeps } from './trigger-runtime.ts';

const deps = triggerDeps('preTokenGeneration');

export async function handler(event: PreTokenGenerationTriggerEvent) {
  const attributes = event.request.userAttributes;
  const tenant = await tenantOf(event);
  // A refresh skips PreAuthentication: a retired tenant's refresh tokens stop here.
  if (tenant.status !== 'active') throw new Error(RETIRED_MESSAGE);
  const claims = await tokenClaims(deps, {
    tenantId: tenant.id,
    userId: attributes['custom:userId'] ?? '',
    cognitoSub: attributes.sub ?? '',
  });
  event.response.claimsOverrideDetails = { claimsToAddOrOverride: claims };
  return event;
}
