// The token check starts from the signing keys in the tenant's registry record: no fetch on a cold start when
// the record holds the key a token names; a fetch when it does not (a rotated key), or when it holds none.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toTenant } from '#domain/tenant.ts';
import { createKeyring, createTokenVerifier, REFETCH_AFTER_MISS_MS } from '#http/token-verifier.ts';
import type { Tenant, TenantRegistry } from '#services/ports.ts';
import { idToken, testJwks } from '#test/support/tokens.ts';
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

  // The issuer's keys, as a fetcher answers them, counting the fetches; `keys` is what it answers.
  const issuerAnswering = (keys: object) => {
    const calls: string[] = [];
    return {
      calls,
      fetcher: {
        async fetch(uri: string) {
          calls.push(uri);
          return new TextEncoder().encode(JSON.stringify(keys)).buffer as ArrayBuffer;
        },
      },
    };
  };

  it('fetches once for tokens that arrive together naming a key the record lacks', async () => {
    const issuer = issuerAnswering(testJwks);
    const tokens = createTokenVerifier(
      registryOf(toTenant({ ...ACME, jwks: staleJwks as never })),
      createKeyring(issuer.fetcher),
    );
    const verified = await Promise.all([1, 2, 3].map(() => tokens.verify(tokenOf(user))));
    expect(verified.map((v) => v.userId)).toEqual([user.id, user.id, user.id]);
    expect(issuer.calls).toEqual([jwksUrl]);
  });

  it('does not fetch again for a key still unknown until a while after the last fetch', async () => {
    // The issuer itself lacks the token's key: a forged kid, or a key not yet published.
    const issuer = issuerAnswering(staleJwks);
    let now = 1_000_000;
    const tokens = createTokenVerifier(
      registryOf(toTenant({ ...ACME, jwks: staleJwks as never })),
      createKeyring(issuer.fetcher, () => now),
    );
    await expect(tokens.verify(tokenOf(user))).rejects.toThrow(/No signing key/);
    await expect(tokens.verify(tokenOf(user))).rejects.toThrow(/fetched moments ago/);
    expect(issuer.calls).toHaveLength(1);
    now += REFETCH_AFTER_MISS_MS;
    await expect(tokens.verify(tokenOf(user))).rejects.toThrow(/No signing key/);
    expect(issuer.calls).toHaveLength(2);
  });

  it('does not fetch again for a while after a fetch that failed', async () => {
    const calls: string[] = [];
    let now = 1_000_000;
    const failing = {
      async fetch(uri: string): Promise<ArrayBuffer> {
        calls.push(uri);
        throw new Error('JWKS fetch answered 503');
      },
    };
    const tokens = createTokenVerifier(
      registryOf(toTenant(ACME)),
      createKeyring(failing, () => now),
    );
    await expect(tokens.verify(tokenOf(user))).rejects.toThrow(/503/);
    await expect(tokens.verify(tokenOf(user))).rejects.toThrow(/fetched moments ago/);
    expect(calls).toHaveLength(1);
    now += REFETCH_AFTER_MISS_MS;
    await expect(tokens.verify(tokenOf(user))).rejects.toThrow(/503/);
    expect(calls).toHaveLength(2);
  });

  it('refuses a token without an expiry, however well signed', async () => {
    const tenant = toTenant({ ...ACME, jwks: testJwks as never });
    const endless = idToken({
      iss: ACME.issuer,
      aud: ACME.clientIds[0] as string,
      sub: user.cognitoSub as string,
      'custom:userId': user.id,
      exp: undefined,
    });
    await expect(createTokenVerifier(registryOf(tenant)).verify(endless)).rejects.toThrow(/expiry/);
  });

  it('refuses keys the issuer answers in another shape than a JWKS', async () => {
    const issuer = issuerAnswering({ keys: 'none' });
    const tokens = createTokenVerifier(registryOf(toTenant(ACME)), createKeyring(issuer.fetcher));
    await expect(tokens.verify(tokenOf(user))).rejects.toThrow();
    expect(issuer.calls).toEqual([jwksUrl]);
  });

  it('refuses an ID token of another app client than the tenant’s', async () => {
    const tenant = toTenant({ ...ACME, jwks: testJwks as never, clientIds: ['another-client'] });
    await expect(createTokenVerifier(registryOf(tenant)).verify(tokenOf(user))).rejects.toThrow(/audience/i);
  });
});
