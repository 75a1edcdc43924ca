// The offline Cognito's pool files: every save is on disk once it resolves, a burst of saves makes few writes,
// and cognito-local's own store reads what was written.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb.js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CoalescingDataStoreFactory } from '#local/cognito/data-store.ts';

const ctx = { logger: pino({ level: 'silent' }) };

describe('the offline Cognito data store', () => {
  it('has every one of 200 concurrent saves on disk once they resolve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
    const store = await new CoalescingDataStoreFactory(dir).create(ctx, 'pool', { Users: {} });
    const created = new Date('2026-12-01T12:00:00.000Z');
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.set(ctx, ['Users', `user-${i}`], { Username: `user-${i}`, UserCreateDate: created }),
      ),
    );
    const onDisk = JSON.parse(readFileSync(join(dir, 'pool.json'), 'utf8')) as {
      Users: Record<string, { UserCreateDate: string }>;
    };
    expect(Object.keys(onDisk.Users)).toHaveLength(200);
    expect(onDisk.Users['user-199']?.UserCreateDate).toBe('2026-12-01T12:00:00.000Z');

    // Read back by cognito-local's own store: the same file format, dates as Dates.
    const reread = await new StormDBDataStoreFactory(dir).create(ctx, 'pool', { Users: {} });
    const user = (await reread.get(ctx, ['Users', 'user-7'])) as { UserCreateDate: Date };
    expect(user.UserCreateDate).toEqual(created);
    const again = await new CoalescingDataStoreFactory(dir).create(ctx, 'pool', { Users: {} });
    expect(((await again.get(ctx, ['Users', 'user-7'])) as { UserCreateDate: Date }).UserCreateDate).toEqual(
      created,
    );
  });

  it('writes a save made during a write in the write after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
    const store = await new CoalescingDataStoreFactory(dir).create(ctx, 'pool', { Users: {} });
    const first = store.set(ctx, ['Users', 'a'], { Username: 'a' });
    await Promise.resolve();
    const second = store.set(ctx, ['Users', 'b'], { Username: 'b' });
    await first;
    await second;
    const onDisk = JSON.parse(readFileSync(join(dir, 'pool.json'), 'utf8')) as { Users: object };
    expect(Object.keys(onDisk.Users).sort()).toEqual(['a', 'b']);
  });
});
