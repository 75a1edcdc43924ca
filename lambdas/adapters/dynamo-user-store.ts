// UserStore on DynamoDB: profiles with their email claims, and history entries, written in one transaction.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { EmailTaken, InvalidInput, UserNotFound, VersionConflict } from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import type { User } from '#domain/user.ts';
import type { Page, UserStore } from '#services/ports.ts';

const USER = 'USER#';
const EMAIL = 'EMAIL#';

export interface DynamoUserStoreOptions {
  client: DynamoDBDocumentClient;
  profilesTable: string;
  historyTable: string;
}

export class DynamoUserStore implements UserStore {
  constructor(private readonly options: DynamoUserStoreOptions) {}

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

  async create(tenantId: string, user: User, entry: HistoryEntry): Promise<void> {
    const { profilesTable } = this.options;
    try {
      await this.options.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: profilesTable,
                Item: { pk: tenantId, sk: USER + user.id, ...user },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: profilesTable,
                Item: { pk: tenantId, sk: EMAIL + user.email, userId: user.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            this.historyPut(tenantId, entry),
          ],
        }),
      );
    } catch (error) {
      if (failedCondition(error, 1)) throw new EmailTaken(user.email);
      throw error;
    }
  }

  async update(tenantId: string, user: User, entry: HistoryEntry): Promise<void> {
    try {
      await this.options.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.options.profilesTable,
                Item: { pk: tenantId, sk: USER + user.id, ...user },
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': user.version - 1 },
              },
            },
            this.historyPut(tenantId, entry),
          ],
        }),
      );
    } catch (error) {
      if (failedCondition(error, 0)) throw new VersionConflict();
      throw error;
    }
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

  async list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<User>> {
    const { Items = [], LastEvaluatedKey } = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.profilesTable,
        KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :user)',
        ExpressionAttributeValues: { ':tenant': tenantId, ':user': USER },
        Limit: page.limit,
        ...(page.cursor ? { ExclusiveStartKey: { pk: tenantId, sk: decodeCursor(page.cursor) } } : {}),
      }),
    );
    const sk = LastEvaluatedKey?.sk;
    return { items: Items.map(toUser), ...(typeof sk === 'string' ? { next: encodeCursor(sk) } : {}) };
  }

  private historyPut(tenantId: string, entry: HistoryEntry) {
    const sk = `${entry.at}#${entry.id}`;
    return {
      Put: {
        TableName: this.options.historyTable,
        Item: { pk: `${tenantId}#${entry.userId}`, sk, tenantPk: tenantId, ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }
}

function toUser(item: Record<string, unknown>): User {
  const { pk: _pk, sk: _sk, ...user } = item;
  return user as unknown as User;
}

/** True when a transaction was cancelled because the condition of item `index` failed. */
function failedCondition(error: unknown, index: number): boolean {
  return (
    error instanceof TransactionCanceledException &&
    error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}

// The cursor carries only the sort key; the partition is always the caller's tenant, so a cursor
// cannot lead into another tenant's data whatever it holds.
function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const { sk } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
    if (typeof sk === 'string' && sk.startsWith(USER) && sk.length < 200) return sk;
  } catch {
    // fall through: any undecodable cursor is the client's error
  }
  throw new InvalidInput([{ field: 'cursor', message: 'is not a cursor this API issued' }]);
}
