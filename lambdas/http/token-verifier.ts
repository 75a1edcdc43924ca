// Verifies the tokens a tenant's pool issues: the API's ID tokens here, SCIM's access tokens through
// `verifyIssuerToken` (./scim-access-token.ts). The issuer names the tenant through the registry; its keys come
// from the tenant's registry record (`createKeyring`), fetched only when the record has none or the token names
// another key.
//
// aws-jwt-verify's functions, not its verifier class: `verifyJwtSync` checks the signature, the algorithm
// against the key, the issuer, audience, scope and times, given the keys; the keys are this module's
// (`createKeyring`), where the registry record already holds them. The class would fetch and cache the keys
// itself, and weighs ~6 KB more in every function (README "Performance and cost").
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Fetcher } from 'aws-jwt-verify/https';
import { assertIsJwks, type Jwk, type Jwks } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { verifyJwtSync } from 'aws-jwt-verify/jwt-verifier';
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
 * After a fetch that still lacked the key a token names, or failed, the issuer's keys are not fetched again for
 * this long: a stream of tokens naming an unknown key costs one fetch, not one each (as aws-jwt-verify's own
 * penalty box), also while the issuer's endpoint fails.
 */
export const REFETCH_AFTER_MISS_MS = 10_000;

/** The signing keys of each issuer this instance verifies tokens of. */
export interface Keyring {
  /** Keys holding `kid`: the registry record's, or the issuer's own fetched for a key the record lacks. */
  keysFor(tenant: Tenant, kid: unknown): Promise<Jwks>;
}

/**
 * Nothing per tenant at start-up: the keys the record holds (written when the tenant was registered,
 * `withSigningKeys`) serve without a call; the issuer's keys are fetched on its first token only when the
 * record has none, and again for a `kid` the keys held lack (a rotated key), at most once per
 * REFETCH_AFTER_MISS_MS while the key stays unknown. One fetch at a time per issuer, shared by every request
 * waiting for it.
 */
export function createKeyring(fetcher: Fetcher = jwksFetcher, now: () => number = Date.now): Keyring {
  const fetched = new Map<string, Jwks>();
  const fetching = new Map<string, Promise<Jwks>>();
  const missedAt = new Map<string, number>();
  const fetchKeys = (issuer: string): Promise<Jwks> => {
    let pending = fetching.get(issuer);
    if (!pending) {
      pending = fetcher
        .fetch(`${issuer}/.well-known/jwks.json`)
        .then(parseJwks)
        .finally(() => fetching.delete(issuer));
      fetching.set(issuer, pending);
    }
    return pending;
  };
  return {
    async keysFor(tenant, kid) {
      if (typeof kid !== 'string') throw new Error('Token names no signing key');
      const held = [fetched.get(tenant.issuer), tenant.jwks as Jwks | undefined].find((jwks) =>
        holds(jwks, kid),
      );
      if (held) return held;
      const missed = missedAt.get(tenant.issuer);
      if (missed !== undefined && now() - missed < REFETCH_AFTER_MISS_MS) {
        throw new Error(`No signing key ${kid} for ${tenant.issuer} (its keys were fetched moments ago)`);
      }
      const keys = await fetchKeys(tenant.issuer).catch((error: unknown) => {
        missedAt.set(tenant.issuer, now());
        throw error;
      });
      fetched.set(tenant.issuer, keys);
      if (!holds(keys, kid)) {
        missedAt.set(tenant.issuer, now());
        throw new Error(`No signing key ${kid} for ${tenant.issuer}`);
      }
      missedAt.delete(tenant.issuer);
      return keys;
    },
  };
}

function holds(jwks: Jwks | undefined, kid: string): jwks is Jwks {
  return jwks?.keys.some((key) => key.kid === kid) ?? false;
}

function parseJwks(body: ArrayBuffer): Jwks {
  const jwks: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  assertIsJwks(jwks as Parameters<typeof assertIsJwks>[0]);
  return jwks as Jwks;
}

// A key's KeyObject, made once per key held (the verifier class keeps such a cache too).
const keyObjects = new WeakMap<Jwk, KeyObject>();
function keyObjectOf(jwk: Jwk): KeyObject {
  let key = keyObjects.get(jwk);
  if (!key) {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    keyObjects.set(jwk, key);
  }
  return key;
}

/** What a token of one kind must carry besides a valid signature by its issuer: the audience and the claims. */
export interface IssuerCheck {
  audience: string[] | null;
  scope?: string;
  claims: (payload: Record<string, unknown>) => void;
}

/**
 * A token's tenant and verified claims, or a throw: the token's unverified `iss` only selects the registry
 * record (an issuer nobody registered ends there); the signature is then checked against that issuer's keys
 * (`keyring`), and the claims against `checkOf(tenant)`.
 */
export async function verifyIssuerToken(
  registry: TenantRegistry,
  keyring: Keyring,
  token: string,
  checkOf: (tenant: Tenant) => IssuerCheck,
): Promise<{ tenant: Tenant; payload: Record<string, unknown> }> {
  const { header, payload } = decomposeUnverifiedJwt(token);
  if (typeof payload.iss !== 'string') throw new Error('Token names no issuer');
  const tenant = await registry.byIssuer(payload.iss);
  if (!tenant) throw new Error('Token of an issuer no tenant has');
  // aws-jwt-verify checks `exp` only when the token has one; every token a pool issues does.
  if (typeof payload.exp !== 'number') throw new Error('Token has no expiry');
  const keys = await keyring.keysFor(tenant, header.kid);
  const check = checkOf(tenant);
  const verified = verifyJwtSync(
    token,
    keys,
    {
      issuer: tenant.issuer,
      audience: check.audience,
      ...(check.scope ? { scope: check.scope } : {}),
      customJwtCheck: ({ payload: claims }) => check.claims(claims),
    },
    keyObjectOf,
  );
  return { tenant, payload: verified };
}

export function createTokenVerifier(
  registry: TenantRegistry,
  keyring: Keyring = createKeyring(),
): TokenVerifier {
  const idToken = (tenant: Tenant): IssuerCheck => ({
    audience: [...tenant.clientIds],
    claims: (payload) => {
      if (payload.token_use !== 'id') throw new Error('Not an ID token');
    },
  });
  return {
    async verify(token) {
      const { tenant, payload } = await verifyIssuerToken(registry, keyring, token, idToken);
      const userId = payload['custom:userId'];
      const sub = payload.sub;
      if (typeof userId !== 'string' || typeof sub !== 'string') {
        throw new Error('Token lacks the subject or user id');
      }
      return { tenant, sub, userId };
    },
  };
}
