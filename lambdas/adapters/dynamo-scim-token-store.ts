// ScimTokenStore and ScimClientStore on DynamoDB: one item per token (or OAuth client) under its tenant's
// partition, beside the tenant's profiles, with a count per kind that bounds how many a tenant holds.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ScimClientLimit, ScimTokenLimit } from '#domain/errors.ts';
import {
  SCIM_TOKEN_TOUCH_MS,
  type ScimClient,
  type ScimClientStore,
  type ScimToken,
  type ScimTokenStore,
} from '#services/ports.ts';

interface Kind {
  /** The sort-key prefix of its items. */
  prefix: string;
  /** The tenant's count of them, kept with every create and revoke, so the limit holds under concurrency. */
  count: string;
  tooMany: (limit: number) => Error;
}

const TOKENS: Kind = {
  prefix: 'SCIMTOKEN#',
  count: 'COUNT#SCIMTOKENS',
  tooMany: (limit) => new ScimTokenLimit(limit),
};
const CLIENTS: Kind = {
  prefix: 'SCIMCLIENT#',
  count: 'COUNT#SCIMCLIENTS',
  tooMany: (limit) => new ScimClientLimit(limit),
};

interface Options {
  client: DynamoDBDocumentClient;
  profilesTable: string;
}

class DynamoCredentialStore<T extends { id: string; lastUsedAt?: string }> {
  constructor(
    private readonly options: Options,
    private readonly kind: Kind,
  ) {}

  async create(tenantId: string, token: T, limit: number): Promise<void> {
    const { prefix: TOKEN, count: COUNT } = this.kind;
    const TableName = this.options.profilesTable;
    try {
      await this.options.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName,
                Item: { pk: tenantId, sk: TOKEN + token.id, ...token },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName,
                Key: { pk: tenantId, sk: COUNT },
                UpdateExpression: 'ADD n :one',
                ConditionExpression: 'attribute_not_exists(n) OR n < :limit',
                ExpressionAttributeValues: { ':one': 1, ':limit': limit },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) throw this.kind.tooMany(limit);
      throw error;
    }
  }

  async get(tenantId: string, tokenId: string): Promise<T | undefined> {
    const TOKEN = this.kind.prefix;
    const { Item } = await this.options.client.send(
      new GetCommand({ TableName: this.options.profilesTable, Key: { pk: tenantId, sk: TOKEN + tokenId } }),
    );
    return Item ? toRecord<T>(Item) : undefined;
  }

  async list(tenantId: string): Promise<T[]> {
    const TOKEN = this.kind.prefix;
    const { Items = [] } = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.profilesTable,
        KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :token)',
        ExpressionAttributeValues: { ':tenant': tenantId, ':token': TOKEN },
        ConsistentRead: true,
      }),
    );
    return Items.map((item) => toRecord<T>(item));
  }

  async revoke(tenantId: string, tokenId: string): Promise<boolean> {
    const { prefix: TOKEN, count: COUNT } = this.kind;
    const TableName = this.options.profilesTable;
    try {
      await this.options.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName,
                Key: { pk: tenantId, sk: TOKEN + tokenId },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Update: {
                TableName,
                Key: { pk: tenantId, sk: COUNT },
                UpdateExpression: 'ADD n :minus',
                ExpressionAttributeValues: { ':minus': -1 },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  async touch(tenantId: string, tokenId: string, at: string): Promise<void> {
    const TOKEN = this.kind.prefix;
    const stale = new Date(Date.parse(at) - SCIM_TOKEN_TOUCH_MS).toISOString();
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.profilesTable,
          Key: { pk: tenantId, sk: TOKEN + tokenId },
          UpdateExpression: 'SET lastUsedAt = :at',
          // Only an existing token (a revoke meanwhile is not undone), and only when the last use is stale.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :stale)',
          ExpressionAttributeValues: { ':at': at, ':stale': stale },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

export class DynamoScimTokenStore extends DynamoCredentialStore<ScimToken> implements ScimTokenStore {
  constructor(options: Options) {
    super(options, TOKENS);
  }
}

export class DynamoScimClientStore extends DynamoCredentialStore<ScimClient> implements ScimClientStore {
  constructor(options: Options) {
    super(options, CLIENTS);
  }
}

function toRecord<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as T;
}
