// Verifies a Cognito ID token: the issuer names the tenant through the registry; its keys come from the
// tenant's registry record, fetched only when the record has none or the token names another key.
import type { Fetcher } from 'aws-jwt-verify/https';
import { type Jwks, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
// The verifier's own module, not the package index: that one brings the Cognito and ALB verifiers along.
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import type { Tenant, TenantRegistry } from '#services/ports.ts';

export interface VerifiedToken {
  tenant: Tenant;
  sub: string;
  userId: string;
}

export interface TokenVerifier {
  /** Throws for any token that is not a valid ID token of a registered tenant's app client. */
  verify(token: string): Promise<VerifiedToken>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Fetches JWKS over HTTPS; plain HTTP only from a loopback host, where the offline emulator serves
 * its keys. Which issuers are trusted comes from the registry, never from a token alone, so this widens
 * nothing for a deployed function: its registered issuers are all https://cognito-idp….
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

/**
 * Nothing per tenant at start-up: a token's unverified `iss` only selects the registry record (an issuer
 * nobody registered ends there); the signature is then checked against that issuer's JWKS: the keys the
 * record holds (written when the tenant was registered, `withSigningKeys`), so a cold start makes no call
 * for them; fetched on the issuer's first token only when the record has none, and fetched again for a
 * `kid` the keys held do not have (a rotated key).
 */
/** What a token of one kind must carry besides a valid signature by its issuer: the audience and the claims. */
export interface IssuerCheck {
  audience: string[] | null;
  scope?: string;
  claims: (payload: Record<string, unknown>) => void;
}

/**
 * The verifier of `tenant`'s tokens of one kind, starting from the keys its registry record holds (none fetched
 * on a cold start) and sharing `jwksCache` with the instance's other verifiers, which fetches a key it lacks.
 */
export function issuerVerifier(tenant: Tenant, jwksCache: SimpleJwksCache, check: IssuerCheck) {
  const verifier = JwtVerifier.create(
    {
      issuer: tenant.issuer,
      audience: check.audience,
      jwksUri: `${tenant.issuer}/.well-known/jwks.json`,
      ...(check.scope ? { scope: check.scope } : {}),
      customJwtCheck: ({ payload }: { payload: Record<string, unknown> }) => check.claims(payload),
    },
    { jwksCache },
  );
  if (tenant.jwks) verifier.cacheJwks(tenant.jwks as Jwks);
  return verifier;
}

export function createTokenVerifier(registry: TenantRegistry): TokenVerifier {
  const jwksCache = new SimpleJwksCache({ fetcher: jwksFetcher });
  // One verifier per issuer and app clients; rebuilt when the record names other clients.
  const verifiers = new Map<string, { audience: string; verifier: ReturnType<typeof verifierOf> }>();
  const verifierOf = (tenant: Tenant) =>
    issuerVerifier(tenant, jwksCache, {
      audience: [...tenant.clientIds],
      claims: (payload) => {
        if (payload.token_use !== 'id') throw new Error('Not an ID token');
      },
    });
  return {
    async verify(token) {
      const issuer = decomposeUnverifiedJwt(token).payload.iss;
      if (typeof issuer !== 'string') throw new Error('Token names no issuer');
      const tenant = await registry.byIssuer(issuer);
      if (!tenant) throw new Error('Token of an issuer no tenant has');
      const audience = tenant.clientIds.join(' ');
      let known = verifiers.get(tenant.issuer);
      if (known?.audience !== audience) {
        known = { audience, verifier: verifierOf(tenant) };
        verifiers.set(tenant.issuer, known);
      }
      const payload = (await known.verifier.verify(token)) as Record<string, unknown>;
      const userId = payload['custom:userId'];
      const sub = payload.sub;
      if (typeof userId !== 'string' || typeof sub !== 'string') {
        throw new Error('Token lacks the subject or user id');
      }
      return { tenant, sub, userId };
    },
  };
}
