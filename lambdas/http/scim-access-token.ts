// Verifies an OAuth access token a SCIM directory took from a tenant's pool by the client-credentials grant:
// the issuer names the tenant through the registry, as for the API's ID tokens; the token must be an access
// token carrying the SCIM scope. Whose client it is (a SCIM client of that very tenant) is the caller's check.
import type { Tenant, TenantRegistry } from '#services/ports.ts';
import { SCIM_SCOPE } from '#services/scim-clients.ts';
import { createKeyring, type IssuerCheck, verifyIssuerToken } from './token-verifier.ts';

export interface ScimAccessToken {
  tenant: Tenant;
  /** The OAuth client the token was issued to (Cognito's `client_id`). */
  clientId: string;
}

export interface ScimAccessTokenVerifier {
  /** Throws for any token that is not a valid SCIM-scoped access token of a registered tenant's pool. */
  verify(token: string): Promise<ScimAccessToken>;
}

/** Whether a bearer token has a JWT's shape (three base64url parts), rather than a SCIM token's. */
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/** Cognito's access tokens carry no `aud`: the client is `client_id`, checked against the tenant's records. */
const SCIM_ACCESS_TOKEN: IssuerCheck = {
  audience: null,
  scope: SCIM_SCOPE,
  claims: (payload) => {
    if (payload.token_use !== 'access') throw new Error('Not an access token');
    if (typeof payload.client_id !== 'string') throw new Error('Access token names no client');
  },
};

export function createScimAccessTokenVerifier(
  registry: TenantRegistry,
  keyring = createKeyring(),
): ScimAccessTokenVerifier {
  return {
    async verify(token) {
      const { tenant, payload } = await verifyIssuerToken(registry, keyring, token, () => SCIM_ACCESS_TOKEN);
      return { tenant, clientId: payload.client_id as string };
    },
  };
}
