// Verifies an OAuth access token a SCIM directory took from a tenant's pool by the client-credentials grant:
// the issuer names the tenant through the registry, as for the API's ID tokens; the token must be an access
// token carrying the SCIM scope. Whose client it is (a SCIM client of that very tenant) is the caller's check.
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { Tenant, TenantRegistry } from '#services/ports.ts';
import { SCIM_SCOPE } from '#services/scim-clients.ts';
import { issuerVerifier, jwksFetcher } from './token-verifier.ts';

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

export function createScimAccessTokenVerifier(registry: TenantRegistry): ScimAccessTokenVerifier {
  const jwksCache = new SimpleJwksCache({ fetcher: jwksFetcher });
  const verifiers = new Map<string, ReturnType<typeof verifierOf>>();
  const verifierOf = (tenant: Tenant) =>
    issuerVerifier(tenant, jwksCache, {
      // Cognito's access tokens carry no `aud`: the client is `client_id`, checked against the tenant's records.
      audience: null,
      scope: SCIM_SCOPE,
      claims: (payload) => {
        if (payload.token_use !== 'access') throw new Error('Not an access token');
        if (typeof payload.client_id !== 'string') throw new Error('Access token names no client');
      },
    });
  return {
    async verify(token) {
      const issuer = decomposeUnverifiedJwt(token).payload.iss;
      if (typeof issuer !== 'string') throw new Error('Token names no issuer');
      // The unverified issuer only selects the registry record; an issuer nobody registered ends here.
      const tenant = await registry.byIssuer(issuer);
      if (!tenant) throw new Error('Token of an issuer no tenant has');
      let verifier = verifiers.get(tenant.issuer);
      if (!verifier) {
        verifier = verifierOf(tenant);
        verifiers.set(tenant.issuer, verifier);
      }
      const payload = (await verifier.verify(token)) as Record<string, unknown>;
      return { tenant, clientId: payload.client_id as string };
    },
  };
}
