// UserStore on DynamoDB: profiles, email claims, the active-administrator count and history entries. The reads
// are here; the search (DynamoUserSearch) and the writes (DynamoUserWrites) are parts the composition root gives
// only to a function that declares them, so no other bundle carries them (lambdas/adapters/wiring.ts).
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidInput } from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import type { User } from '#domain/user.ts';
import type { Page, UserQuery, UserStore, WriteOptions } from '#services/ports.ts';
import { decodePosition, encodePosition } from './cursor.ts';
import type { UserWrites } from './dynamo-user-writes.ts';
import type { DynamoUserSearch } from './search-index.ts';

export const USER = 'USER#';
export const EMAIL = 'EMAIL#';
/** The tenant's count of active administrators, kept in every transaction that changes it. */
export const ADMINS = 'COUNT#ACTIVE_ADMINS';
/** Seats taken per licence type, kept in every transaction that gives or takes a licence. */
export const LICENCE = 'COUNT#LICENCE#';

export interface DynamoUserStoreOptions {
  client: DynamoDBDocumentClient;
  profilesTable: string;
  historyTable: string;
  /**
   * What answers `search` and `countLive` (the search index's reader, DynamoUserSearch): given by the composition root only to a
   * function that declares the `search` store, so no other bundle carries it (lambdas/adapters/wiring.ts).
   */
  searcher: Pick<DynamoUserSearch, 'search' | 'countLive'>;
  /** What answers the writes (DynamoUserWrites): likewise given only to a function that declares `userWrites`. */
  writer: UserWrites;
}

export class DynamoUserStore implements UserStore {
  private readonly searcher: Pick<DynamoUserSearch, 'search' | 'countLive'>;
  private readonly writer: UserWrites;

  constructor(private readonly options: DynamoUserStoreOptions) {
    this.searcher = options.searcher;
    this.writer = options.writer;
  }

  search(tenantId: string, query: UserQuery): Promise<Page<User>> {
    return this.searcher.search(tenantId, query);
  }

  async get(tenantId: string, userId: string): Promise<User | undefined> {
    const { Item } = await this.options.client.send(
      new GetCommand({
        TableName: this.options.profilesTable,
        Key: { pk: tenantId, sk: USER + userId },
        ConsistentRead: true,
      }),
    );
    return Item ? toUser(Item) : undefined;
  }

  async findByEmail(tenantId: string, email: string): Promise<User | undefined> {
    // The email claim names the user who holds the address; the profile is then read (and checked) by id.
    const userId = await this.userIdByEmail(tenantId, email);
    if (userId === undefined) return undefined;
    const user = await this.get(tenantId, userId);
    return user?.email === email.toLowerCase() ? user : undefined;
  }

  async userIdByEmail(tenantId: string, email: string): Promise<string | undefined> {
    const { Item } = await this.options.client.send(
      new GetCommand({
        TableName: this.options.profilesTable,
        Key: { pk: tenantId, sk: EMAIL + email.toLowerCase() },
        ConsistentRead: true,
      }),
    );
    return typeof Item?.userId === 'string' ? Item.userId : undefined;
  }

  countLive(tenantId: string): Promise<number> {
    return this.searcher.countLive(tenantId);
  }

  create(tenantId: string, user: User, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    return this.writer.create(tenantId, user, entry, options);
  }

  update(tenantId: string, before: User, after: User, entry: HistoryEntry, options?: WriteOptions) {
    return this.writer.update(tenantId, before, after, entry, options);
  }

  delete(tenantId: string, user: User, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    return this.writer.delete(tenantId, user, entry, options);
  }

  record(tenantId: string, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    return this.writer.record(tenantId, entry, options);
  }

  touchLogin(tenantId: string, userId: string, at: string): Promise<void> {
    return this.writer.touchLogin(tenantId, userId, at);
  }

  async licencesUsed(tenantId: string): Promise<Record<string, number>> {
    const { Items = [] } = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.profilesTable,
        KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :licence)',
        ExpressionAttributeValues: { ':tenant': tenantId, ':licence': LICENCE },
        ConsistentRead: true,
      }),
    );
    return Object.fromEntries(Items.map((i) => [String(i.sk).slice(LICENCE.length), Number(i.n ?? 0)]));
  }

  async activeAdministrators(tenantId: string): Promise<number> {
    const { Item } = await this.options.client.send(
      new GetCommand({
        TableName: this.options.profilesTable,
        Key: { pk: tenantId, sk: ADMINS },
        ConsistentRead: true,
      }),
    );
    return typeof Item?.n === 'number' ? Item.n : 0;
  }

  async list(
    tenantId: string,
    page: { limit: number; cursor?: string; archived?: boolean },
  ): Promise<Page<User>> {
    // The position is the last user's id: the key is rebuilt here, always inside the caller's tenant.
    let start: Record<string, string> | undefined = page.cursor
      ? { pk: tenantId, sk: USER + decodePosition(page.cursor, 1)[0] }
      : undefined;
    const items: User[] = [];
    // A filter may leave a read page short: read on until the page is full or the tenant's users end.
    // (Indexed listing, whose cost follows the page and not the tenant, is the search issue's.)
    do {
      const { Items = [], LastEvaluatedKey } = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.profilesTable,
          KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :user)',
          FilterExpression: page.archived ? '#status = :archived' : '#status <> :archived',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':tenant': tenantId, ':user': USER, ':archived': 'archived' },
          Limit: page.limit - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...Items.map(toUser));
      start = LastEvaluatedKey as Record<string, string> | undefined;
    } while (start && items.length < page.limit);
    return { items, ...(start?.sk ? { next: encodePosition([start.sk.slice(USER.length)]) } : {}) };
  }

  async history(
    tenantId: string,
    userId: string | undefined,
    page: { limit: number; cursor?: string },
  ): Promise<Page<HistoryEntry>> {
    // One user's entries live under their own partition; the whole tenant's are read through byTenant.
    const query = userId
      ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${tenantId}#${userId}` } }
      : {
          IndexName: 'byTenant',
          KeyConditionExpression: 'tenantPk = :tenant',
          ExpressionAttributeValues: { ':tenant': tenantId },
        };
    // The position is the last entry's subject and sort key; the key is rebuilt inside the caller's tenant.
    const start = page.cursor ? historyStart(tenantId, userId, page.cursor) : undefined;
    const { Items = [], LastEvaluatedKey } = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.historyTable,
        ...query,
        ScanIndexForward: false,
        Limit: page.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const items = Items.map(({ pk: _pk, sk: _sk, tenantPk: _t, ...entry }) => entry as HistoryEntry);
    const last = LastEvaluatedKey as { pk?: string; sk?: string } | undefined;
    const next =
      last?.pk && last.sk ? encodePosition([last.pk.slice(tenantId.length + 1), last.sk]) : undefined;
    return { items, ...(next ? { next } : {}) };
  }
}

function toUser(item: Record<string, unknown>): User {
  const { pk: _pk, sk: _sk, ...user } = item;
  return user as unknown as User;
}

function historyStart(
  tenantId: string,
  userId: string | undefined,
  position: string,
): Record<string, string> {
  const [subject = '', sk = ''] = decodePosition(position, 2);
  if (userId !== undefined && subject !== userId) {
    throw new InvalidInput([
      { field: 'query.cursor', message: 'is not a cursor this API issued for this list' },
    ]);
  }
  const key = { pk: `${tenantId}#${subject}`, sk };
  return userId === undefined ? { ...key, tenantPk: tenantId } : key;
}
