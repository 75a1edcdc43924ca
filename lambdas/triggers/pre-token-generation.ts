// Cognito PreTokenGeneration: the tenant, the user, their roles and permissions go into the ID token.
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { tokenClaims } from '#services/sign-in.ts';
import { deps, tenantOf } from './trigger-runtime.ts';

export async function handler(event: PreTokenGenerationTriggerEvent) {
  const attributes = event.request.userAttributes;
  const tenant = tenantOf(attributes);
  const claims = await tokenClaims(deps, {
    tenantId: tenant.id,
    userId: attributes['custom:userId'] ?? '',
    cognitoSub: attributes.sub ?? '',
  });
  event.response.claimsOverrideDetails = { claimsToAddOrOverride: claims };
  return event;
}
