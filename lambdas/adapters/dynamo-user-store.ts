// UserStore on DynamoDB: profiles, email claims, the active-administrator and licence counts, history entries.
// The reads by key are here; the search (DynamoUserSearch), the writes (DynamoUserWrites), the listing of every
// profile and the history (DynamoUserList, DynamoUserHistory) are parts the composition root gives only to a
// function that declares them, so no other bundle carries them (lambdas/adapters/wiring.ts).
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryEntry } from '#domain/history.ts';
import type { User } from '#domain/user.ts';
import type { Page, UserQuery, UserStore, WriteOptions } from '#services/ports.ts';
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
  /**
   * What answers `search` and `countLive` (the search index's reader, DynamoUserSearch): given by the composition root only to a
   * function that declares the `search` store, so no other bundle carries it (lambdas/adapters/wiring.ts).
   */
  searcher: Pick<DynamoUserSearch, 'search' | 'countLive'>;
  /** What answers the writes (DynamoUserWrites): likewise given only to a function that declares `userWrites`. */
  writer: UserWrites;
  /** What answers `list` (DynamoUserList): likewise given only to a function that declares `userList`. */
  lister: Pick<UserStore, 'list'>;
  /** What answers `history` (DynamoUserHistory): likewise given only to a function that declares `history`. */
  historian: Pick<UserStore, 'history'>;
}

export class DynamoUserStore implements UserStore {
  private readonly searcher: Pick<DynamoUserSearch, 'search' | 'countLive'>;
  private readonly writer: UserWrites;
  private readonly lister: Pick<UserStore, 'list'>;
  private readonly historian: Pick<UserStore, 'history'>;

  constructor(private readonly options: DynamoUserStoreOptions) {
    this.searcher = options.searcher;
    this.writer = options.writer;
    this.lister = options.lister;
    this.historian = options.historian;
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

  list(tenantId: string, page: { limit: number; cursor?: string; archived?: boolean }) {
    return this.lister.list(tenantId, page);
  }

  history(tenantId: string, userId: string | undefined, page: { limit: number; cursor?: string }) {
    return this.historian.history(tenantId, userId, page);
  }
}

export function toUser(item: Record<string, unknown>): User {
  const { pk: _pk, sk: _sk, ...user } = item;
  return user as unknown as User;
}
