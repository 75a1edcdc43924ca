// What every Cognito trigger starts with: its environment, its ports, and the tenant of an event's user.
import { readEnvironment, TriggerEnvironmentSchema } from '#adapters/environment.ts';
import { createStoreDeps, createTenantReader, type StoreDeps } from '#adapters/wiring.ts';
import type { TenantSso } from '#domain/sign-in.ts';
import type { Tenant } from '#services/ports.ts';
import { TRIGGER_STORES, type TriggerName } from './needs.ts';

export const env = readEnvironment(TriggerEnvironmentSchema);

/**
 * The stores only, as the trigger declares them (./needs.ts): a trigger's IAM role allows the tables and nothing
 * else, so it holds no other port.
 */
export function triggerDeps(trigger: TriggerName): StoreDeps {
  return createStoreDeps(env, {}, TRIGGER_STORES[trigger]);
}
export const tenants = createTenantReader(env, env.TENANT_CACHE_SECONDS);

/** The user's pool is not the registered pool of the tenant they claim, or the tenant is unknown. */
export class UnknownTenant extends Error {}

/**
 * The tenant named by the user's `custom:tenantId` (set by Gatehouse when it creates the login, never changed
 * by it, not writable by app clients), read from the registry and held to the event's pool: a pool can only
 * speak for its own tenant. Retired tenants are returned as such; each trigger decides what that means.
 */
export async function tenantOf(event: {
  userPoolId: string;
  request: { userAttributes: Record<string, string | undefined> };
}): Promise<Tenant> {
  const id = event.request.userAttributes['custom:tenantId'] ?? '';
  const tenant = id ? await tenants.byId(id) : undefined;
  if (!tenant || tenant.userPoolId !== event.userPoolId) {
    throw new UnknownTenant('The user belongs to no registered tenant');
  }
  return tenant;
}

/**
 * The issuer of a pool's tokens, the registry's second key: `https://cognito-idp.<region>.amazonaws.com/<pool id>`
 * in AWS (a pool id starts with its region), the emulator's address and the pool id offline (the SDK's
 * `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, as `cognito.issuer()` makes it).
 */
export function poolIssuer(userPoolId: string): string {
  const endpoint = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  const base = endpoint
    ? endpoint.replace(/\/+$/, '')
    : `https://cognito-idp.${userPoolId.slice(0, userPoolId.indexOf('_'))}.amazonaws.com`;
  return `${base}/${userPoolId}`;
}

/**
 * The tenant whose pool the event comes from, for a user Gatehouse has not created yet (a first federated
 * sign-in carries no `custom:tenantId`): read from the registry by the pool's issuer.
 */
export async function tenantOfPool(event: { userPoolId: string }): Promise<Tenant> {
  const tenant = await tenants.byIssuer(poolIssuer(event.userPoolId));
  if (!tenant || tenant.userPoolId !== event.userPoolId) {
    throw new UnknownTenant('The pool belongs to no registered tenant');
  }
  return tenant;
}

/**
 * The subject of a user of the tenant's identity provider: Cognito names a federated user `<provider>_<subject>`.
 * Undefined for a pool's own users (their user name is the sub) and where the tenant has no provider. The
 * tenant comes from the pool, so provider names need not be unique across tenants.
 */
export function federatedSubject(
  tenant: Pick<Tenant, 'sso'>,
  userName: string,
): { sso: TenantSso; subject: string } | undefined {
  const sso = tenant.sso;
  if (!sso) return undefined;
  const prefix = `${sso.provider}_`;
  // Cognito may lower-case the provider part in a case-insensitive pool; the subject is kept as given.
  if (
    userName.length <= prefix.length ||
    userName.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()
  ) {
    return undefined;
  }
  return { sso, subject: userName.slice(prefix.length) };
}

/** What Cognito shows a person whose organisation was retired (it adds a full stop of its own). */
export const RETIRED_MESSAGE = 'Your organisation no longer has access. Please contact your administrator';
