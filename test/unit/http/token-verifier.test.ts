// The token check starts from the signing keys in the tenant's registry record: no fetch on a cold start when
// the record holds the key a token names; a fetch when it does not (a rotated key), or when it holds none.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toTenant } from '#domain/tenant.ts';
import { createTokenVerifier } from '#http/token-verifier.ts';
import type { Tenant, TenantRegistry } from '#services/ports.ts';
import { testJwks } from '#test/support/tokens.ts';
import { ACME, anAdmin, tokenOf } from '#test/unit/fixtures.ts';

const jwksUrl = `${ACME.issuer}/.well-known/jwks.json`;
const fetched: string[] = [];
const answer = globalThis.fetch;

function registryOf(tenant: Tenant): TenantRegistry {
  return {
    byId: async (id) => (id === tenant.id ? tenant : undefined),
    byIssuer: async (issuer) => (issuer === tenant.issuer ? tenant : undefined),
  };
}

/** Another pool key than the one the tokens are signed with: what a record holds after its pool rotated keys. */
const { publicKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const staleJwks = {
  keys: [{ ...otherKey.export({ format: 'jwk' }), kid: 'rotated-away', alg: 'RS256', use: 'sig' }],
};

beforeEach(() => {
  fetched.length = 0;
  // The unit setup answers the tenants' JWKS URLs from the test key; count the calls on top of it.
  vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
    fetched.push(String(input instanceof Request ? input.url : input));
    return answer(input, init);
  });
});
afterEach(() => {
  vi.stubGlobal('fetch', answer);
});

describe('token verification and the registry’s signing keys', () => {
  const user = anAdmin();

  it('fetches nothing when the record holds the key the token names', async () => {
    const tenant = toTenant({ ...ACME, jwks: testJwks as never });
    const verified = await createTokenVerifier(registryOf(tenant)).verify(tokenOf(user));
    expect(verified).toMatchObject({ userId: user.id, sub: user.cognitoSub });
    expect(fetched).toEqual([]);
  });

  it('fetches the keys again, once, for a key the record does not hold', async () => {
    const tenant = toTenant({ ...ACME, jwks: staleJwks as never });
    const tokens = createTokenVerifier(registryOf(tenant));
    expect(await tokens.verify(tokenOf(user))).toMatchObject({ userId: user.id });
    expect(await tokens.verify(tokenOf(user))).toMatchObject({ userId: user.id });
    expect(fetched).toEqual([jwksUrl]);
  });

  it('fetches the keys on the first token when the record holds none', async () => {
    const tokens = createTokenVerifier(registryOf(toTenant(ACME)));
    expect(await tokens.verify(tokenOf(user))).toMatchObject({ userId: user.id });
    expect(fetched).toEqual([jwksUrl]);
  });

  it('still refuses a token whose signature the held keys do not verify', async () => {
    const tenant = toTenant({ ...ACME, jwks: testJwks as never });
    const [header, payload] = tokenOf(user).split('.');
    const forged = `${header}.${payload}.${Buffer.from('not a signature').toString('base64url')}`;
    await expect(createTokenVerifier(registryOf(tenant)).verify(forged)).rejects.toThrow();
  });
});
