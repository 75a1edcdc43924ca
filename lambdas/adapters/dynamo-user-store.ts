// UserStore on DynamoDB: profiles, email claims, the active-administrator count and history entries,
// each change written with its history entry (and any idempotency completion) in one transaction.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  EmailTaken,
  InvalidInput,
  LastAdministrator,
  LicenceLimitReached,
  RequestInProgress,
  UserNotFound,
  VersionConflict,
} from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import { holdsLicence, isActiveAdministrator, type User } from '#domain/user.ts';
import type { Page, UserQuery, UserStore, WriteOptions } from '#services/ports.ts';
import { decodePosition, encodePosition } from './cursor.ts';
import { completionItem } from './dynamo-idempotency-store.ts';
import { historyPut } from './history-items.ts';
import { type DynamoUserSearch, indexChanges } from './search-index.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const USER = 'USER#';
const EMAIL = 'EMAIL#';
/** The tenant's count of active administrators, kept in every transaction that changes it. */
const ADMINS = 'COUNT#ACTIVE_ADMINS';
/** Seats taken per licence type, kept in every transaction that gives or takes a licence. */
const LICENCE = 'COUNT#LICENCE#';

export interface DynamoUserStoreOptions {
  client: DynamoDBDocumentClient;
  profilesTable: string;
  historyTable: string;
  /**
   * What answers `search` and `countLive` (the search index's reader, DynamoUserSearch): given by the composition root only to a
   * function that declares the `search` store, so no other bundle carries it (lambdas/adapters/wiring.ts).
   */
  searcher: Pick<DynamoUserSearch, 'search' | 'countLive'>;
}

export class DynamoUserStore implements UserStore {
  private readonly searcher: Pick<DynamoUserSearch, 'search' | 'countLive'>;

  constructor(private readonly options: DynamoUserStoreOptions) {
    this.searcher = options.searcher;
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

  async create(tenantId: string, user: User, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    const items: Labelled[] = [
      ['profile', this.putProfile(tenantId, user, 'attribute_not_exists(pk)')],
      ['email', this.claimEmail(tenantId, user)],
      ...this.adminCount(tenantId, undefined, user),
      ...this.licenceCount(tenantId, undefined, user, options),
      ...this.index(tenantId, undefined, user),
      ['history', this.historyPut(tenantId, entry)],
      ...this.completion(options),
    ];
    await this.transact(
      items,
      { profile: () => new VersionConflict(), email: () => new EmailTaken(user.email) },
      'create',
    );
  }

  async update(
    tenantId: string,
    before: User,
    after: User,
    entry: HistoryEntry,
    options?: WriteOptions,
  ): Promise<void> {
    const emailMoves = before.email !== after.email;
    const items: Labelled[] = [
      ['profile', this.putProfile(tenantId, after, 'version = :expected', before.version)],
      ...(emailMoves
        ? ([
            ['email', this.claimEmail(tenantId, after)],
            ['release', this.releaseEmail(tenantId, before)],
          ] as Labelled[])
        : []),
      ...this.adminCount(tenantId, before, after),
      ...this.licenceCount(tenantId, before, after, options),
      ...this.index(tenantId, before, after),
      ['history', this.historyPut(tenantId, entry)],
      ...this.completion(options),
    ];
    await this.transact(
      items,
      { profile: () => new VersionConflict(), email: () => new EmailTaken(after.email) },
      changeVerb(before, after),
    );
  }

  async delete(tenantId: string, user: User, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    const { profilesTable } = this.options;
    const items: Labelled[] = [
      [
        'profile',
        {
          Delete: {
            TableName: profilesTable,
            Key: { pk: tenantId, sk: USER + user.id },
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': user.version },
          },
        },
      ],
      ['release', this.releaseEmail(tenantId, user)],
      ...this.adminCount(tenantId, user, undefined),
      ...this.licenceCount(tenantId, user, undefined, options),
      ...this.index(tenantId, user, undefined),
      ['history', this.historyPut(tenantId, entry)],
      ...this.completion(options),
    ];
    await this.transact(items, { profile: () => new VersionConflict() }, 'delete');
  }

  async record(tenantId: string, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    if (!options?.completes) {
      await this.options.client.send(new PutCommand(this.historyPut(tenantId, entry).Put));
      return;
    }
    await this.transact(
      [['history', this.historyPut(tenantId, entry)], ...this.completion(options)],
      {},
      'change',
    );
  }

  async touchLogin(tenantId: string, userId: string, at: string): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.profilesTable,
          Key: { pk: tenantId, sk: USER + userId },
          UpdateExpression: 'SET lastLoginAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new UserNotFound();
      throw error;
    }
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

  private putProfile(tenantId: string, user: User, condition: string, expected?: number): TransactItem {
    return {
      Put: {
        TableName: this.options.profilesTable,
        Item: { pk: tenantId, sk: USER + user.id, ...user },
        ConditionExpression: condition,
        ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
      },
    };
  }

  private claimEmail(tenantId: string, user: User): TransactItem {
    return {
      Put: {
        TableName: this.options.profilesTable,
        Item: { pk: tenantId, sk: EMAIL + user.email, userId: user.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private releaseEmail(tenantId: string, user: User): TransactItem {
    return {
      Delete: {
        TableName: this.options.profilesTable,
        Key: { pk: tenantId, sk: EMAIL + user.email },
        ConditionExpression: 'userId = :me',
        ExpressionAttributeValues: { ':me': user.id },
      },
    };
  }

  /** Moves the count when a change makes or unmakes an active administrator; never below one. */
  private adminCount(tenantId: string, before: User | undefined, after: User | undefined): Labelled[] {
    const delta = Number(isActiveAdministrator(after)) - Number(isActiveAdministrator(before));
    if (delta === 0) return [];
    return [
      [
        'admins',
        {
          Update: {
            TableName: this.options.profilesTable,
            Key: { pk: tenantId, sk: ADMINS },
            UpdateExpression: 'ADD n :delta',
            ...(delta < 0
              ? { ConditionExpression: 'n > :one', ExpressionAttributeValues: { ':delta': delta, ':one': 1 } }
              : { ExpressionAttributeValues: { ':delta': delta } }),
          },
        },
      ],
    ];
  }

  /** The search index moves with the profile, in the same transaction. */
  private index(tenantId: string, before: User | undefined, after: User | undefined): Labelled[] {
    return indexChanges(this.options.profilesTable, tenantId, before, after).map((w) => [
      'index',
      w as TransactItem,
    ]);
  }

  private historyPut(tenantId: string, entry: HistoryEntry) {
    return historyPut(this.options.historyTable, tenantId, entry);
  }

  /** Moves the seat counts when a change gives or takes a licence; never beyond the type's seats. */
  private licenceCount(
    tenantId: string,
    before: User | undefined,
    after: User | undefined,
    options: WriteOptions | undefined,
  ): Labelled[] {
    const was = holdsLicence(before);
    const now = holdsLicence(after);
    if (was === now) return [];
    const items: Labelled[] = [];
    if (now) {
      const seats = options?.seats?.[now];
      items.push([
        'licence',
        {
          Update: {
            TableName: this.options.profilesTable,
            Key: { pk: tenantId, sk: LICENCE + now },
            UpdateExpression: 'ADD n :one',
            ...(seats === undefined
              ? { ExpressionAttributeValues: { ':one': 1 } }
              : {
                  ConditionExpression: 'attribute_not_exists(n) OR n < :seats',
                  ExpressionAttributeValues: { ':one': 1, ':seats': seats },
                }),
          },
        },
      ]);
    }
    if (was) {
      items.push([
        'release',
        {
          Update: {
            TableName: this.options.profilesTable,
            Key: { pk: tenantId, sk: LICENCE + was },
            UpdateExpression: 'ADD n :minus',
            ExpressionAttributeValues: { ':minus': -1 },
          },
        },
      ]);
    }
    return items;
  }

  private completion(options: WriteOptions | undefined): Labelled[] {
    if (!options?.completes) return [];
    return [
      ['completion', completionItem(this.options.profilesTable, options.completes, options.result ?? null)],
    ];
  }

  /** Runs the transaction; a failed condition becomes the domain error its item stands for. */
  private async transact(
    items: Labelled[],
    errors: Partial<Record<Label, () => Error>>,
    verb: string,
  ): Promise<void> {
    try {
      await this.options.client.send(
        new TransactWriteCommand({ TransactItems: items.map(([, item]) => item) }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = items.find(
        (_, i) => error.CancellationReasons?.[i]?.Code === 'ConditionalCheckFailed',
      )?.[0];
      if (failed === 'admins') throw new LastAdministrator(verb);
      if (failed === 'licence')
        throw new LicenceLimitReached(
          String(labelled(items, 'licence')?.Update?.Key?.sk).slice(LICENCE.length),
        );
      const mapped = failed ? errors[failed] : undefined;
      if (mapped) throw mapped();
      if (failed === 'completion') throw new RequestInProgress();
      throw error;
    }
  }
}

type Label = 'profile' | 'email' | 'release' | 'admins' | 'licence' | 'index' | 'history' | 'completion';

function labelled(items: Labelled[], label: Label): TransactItem | undefined {
  return items.find(([l]) => l === label)?.[1];
}
type Labelled = [Label, TransactItem];

/** The verb of a change, for the last-administrator refusal. */
function changeVerb(before: User, after: User): string {
  if (after.status !== before.status) {
    return (
      ({ inactive: 'deactivate', archived: 'archive' } as Record<string, string>)[after.status] ?? 'change'
    );
  }
  return 'remove the Administrator role from';
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
