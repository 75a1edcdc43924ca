import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type CursorKeySet, type CursorKeySource, secretsManagerKeys } from '#adapters/cursor-keys.ts';
import { ROUTES } from '#api/routes.ts';
import { type CursorBinding, CursorSealer, paginates } from '#http/cursors.ts';

const OLD = 'o'.repeat(40);
const NEW = 'n'.repeat(40);

/** A key store that can be rotated under the sealer, counting reads. */
function keyStore(initial: CursorKeySet) {
  let stored = initial;
  let held: CursorKeySet | undefined;
  let readAt = 0;
  const store = {
    reads: 0,
    now: 0,
    rotate(next: CursorKeySet) {
      stored = next;
    },
    source: {
      async keys({ fresh = false } = {}) {
        if (!held || (fresh && store.now - readAt > 60_000)) {
          held = stored;
          readAt = store.now;
          store.reads++;
        }
        return held;
      },
    } satisfies CursorKeySource,
  };
  return store;
}

const binding: CursorBinding = {
  tenantId: 'acme',
  route: ROUTES.listUsers,
  params: undefined,
  query: { q: 'jo', status: 'active', limit: 25 },
  reach: { tenantWide: false, teams: new Set(['north', 'south']), areas: new Set(), clients: new Set() },
};

describe('cursor sealer', () => {
  it('opens its own cursor under the same binding, listed in any order and with any page size', async () => {
    const sealer = new CursorSealer(keyStore({ current: NEW }).source);
    const cursor = await sealer.seal('["Lovelace\\u0001Ada"]', binding);
    const same = {
      ...binding,
      query: { limit: 3, status: 'active', q: 'jo' },
      reach: { tenantWide: false, teams: new Set(['south', 'north']), areas: new Set(), clients: new Set() },
    } satisfies CursorBinding;
    expect(await sealer.open(cursor, same)).toBe('["Lovelace\\u0001Ada"]');
  });

  it.each<[string, Partial<CursorBinding>]>([
    ['another tenant', { tenantId: 'globex' }],
    ['another route', { route: ROUTES.tenantHistory }],
    ['another user', { params: { userId: 'x' } }],
    ['another query', { query: { q: 'jo', limit: 25 } }],
    ['a wider reach', { reach: { tenantWide: true } }],
    [
      'another reach',
      { reach: { tenantWide: false, teams: new Set(['north']), areas: new Set(), clients: new Set() } },
    ],
  ])('refuses it for %s', async (_, change) => {
    const sealer = new CursorSealer(keyStore({ current: NEW }).source);
    const cursor = await sealer.seal('["x"]', binding);
    await expect(sealer.open(cursor, { ...binding, ...change })).rejects.toMatchObject({
      code: 'InvalidInput',
      issues: [{ field: 'query.cursor' }],
    });
  });

  it('keeps cursors in flight working across a key rotation, until the previous key is dropped', async () => {
    const keys = keyStore({ current: OLD });
    const before = await new CursorSealer(keys.source).seal('["x"]', binding);
    keys.rotate({ current: NEW, previous: OLD });
    const after = new CursorSealer(keyStore({ current: NEW, previous: OLD }).source);
    expect(await after.open(before, binding)).toBe('["x"]');
    const dropped = new CursorSealer(keyStore({ current: NEW }).source);
    await expect(dropped.open(before, binding)).rejects.toMatchObject({ code: 'InvalidInput' });
  });

  it('reads the keys again when a cursor is signed by a key newer than the ones it holds, at most once a minute', async () => {
    const keys = keyStore({ current: OLD });
    const stale = new CursorSealer(keys.source);
    await stale.seal('["x"]', binding);
    const fromNew = await new CursorSealer(keyStore({ current: NEW, previous: OLD }).source).seal(
      '["y"]',
      binding,
    );
    keys.rotate({ current: NEW, previous: OLD });
    await expect(stale.open(fromNew, binding)).rejects.toMatchObject({ code: 'InvalidInput' });
    expect(keys.reads).toBe(1);
    keys.now = 61_000;
    expect(await stale.open(fromNew, binding)).toBe('["y"]');
    expect(keys.reads).toBe(2);
  });

  it('refuses what is not a cursor it wrote', async () => {
    const sealer = new CursorSealer(keyStore({ current: NEW }).source);
    const cursor = await sealer.seal('["x"]', binding);
    for (const bad of [
      '',
      '.',
      cursor.slice(1),
      `${cursor}A`,
      `${cursor}.x`,
      `A${cursor}`,
      cursor.replace('.', ''),
    ]) {
      await expect(sealer.open(bad, binding)).rejects.toMatchObject({ code: 'InvalidInput' });
    }
  });

  it('knows the paginated routes from their query schemas', () => {
    const paged = Object.entries(ROUTES)
      .filter(([, route]) => paginates(route))
      .map(([id]) => id);
    expect(paged.sort()).toEqual(['jobResults', 'listJobs', 'listUsers', 'tenantHistory', 'userHistory']);
  });
});

describe('cursor keys in AWS', () => {
  it('reads the secret once, on first use, and again only after a refused cursor a minute later', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current: NEW }) });
    const source = secretsManagerKeys('arn:aws:secretsmanager:us-east-1:1:secret:cursor-keys');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    expect(await source.keys()).toEqual({ current: NEW });
    await source.keys();
    await source.keys({ fresh: true });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'arn:aws:secretsmanager:us-east-1:1:secret:cursor-keys',
    });
    secrets.restore();
  });
});
