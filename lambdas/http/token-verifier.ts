// Verifies a Cognito ID token against the configured tenants' pools; the issuer names the tenant.
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { TenantEntry } from '#adapters/environment.ts';

export interface VerifiedToken {
  tenant: TenantEntry;
  sub: string;
  userId: string;
}

export interface TokenVerifier {
  /** Throws for any token that is not a valid ID token of a configured tenant's app client. */
  verify(token: string): Promise<VerifiedToken>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Fetches JWKS over HTTPS; plain HTTP only from a loopback host, where the offline emulator serves
 * its keys. Which issuers are trusted comes from the deployment's configuration, never from a token,
 * so this widens nothing for a deployed function: its issuers are all https://cognito-idp….
 */
export const jwksFetcher: Fetcher = {
  async fetch(uri) {
    const url = new URL(uri);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      throw new Error(`Refusing to fetch JWKS over ${url.protocol} from ${url.host}`);
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`JWKS fetch from ${url.host} answered ${response.status}`);
    return response.arrayBuffer();
  },
};

export function createTokenVerifier(tenants: readonly TenantEntry[]): TokenVerifier {
  const byIssuer = new Map(tenants.map((t) => [t.issuer, t]));
  const verifier = JwtRsaVerifier.create(
    tenants.map((tenant) => ({
      issuer: tenant.issuer,
      audience: tenant.clientIds,
      jwksUri: `${tenant.issuer}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }: { payload: Record<string, unknown> }) => {
        if (payload.token_use !== 'id') throw new Error('Not an ID token');
      },
    })),
    { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher }) },
  );
  return {
    async verify(token) {
      const payload = (await verifier.verify(token)) as Record<string, unknown>;
      const tenant = byIssuer.get(String(payload.iss));
      const userId = payload['custom:userId'];
      const sub = payload.sub;
      if (!tenant || typeof userId !== 'string' || typeof sub !== 'string') {
        throw new Error('Token lacks the tenant, subject or user id');
      }
      return { tenant, sub, userId };
    },
  };
}
