// ScimTokenStore on DynamoDB: one item per token under its tenant's partition, beside the tenant's profiles.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ScimTokenLimit } from '#domain/errors.ts';
import { SCIM_TOKEN_TOUCH_MS, type ScimToken, type ScimTokenStore } from '#services/ports.ts';

const TOKEN = 'SCIMTOKEN#';
/** The tenant's count of tokens, kept with every create and revoke, so the limit holds under concurrency. */
const COUNT = 'COUNT#SCIMTOKENS';

export class DynamoScimTokenStore implements ScimTokenStore {
  constructor(private readonly options: { client: DynamoDBDocumentClient; profilesTable: string }) {}

  async create(tenantId: string, token: ScimToken, limit: number): Promise<void> {
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
      if (error instanceof TransactionCanceledException) throw new ScimTokenLimit(limit);
      throw error;
    }
  }

  async get(tenantId: string, tokenId: string): Promise<ScimToken | undefined> {
    const { Item } = await this.options.client.send(
      new GetCommand({ TableName: this.options.profilesTable, Key: { pk: tenantId, sk: TOKEN + tokenId } }),
    );
    return Item ? toToken(Item) : undefined;
  }

  async list(tenantId: string): Promise<ScimToken[]> {
    const { Items = [] } = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.profilesTable,
        KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :token)',
        ExpressionAttributeValues: { ':tenant': tenantId, ':token': TOKEN },
        ConsistentRead: true,
      }),
    );
    return Items.map(toToken);
  }

  async revoke(tenantId: string, tokenId: string): Promise<boolean> {
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

function toToken(item: Record<string, unknown>): ScimToken {
  const { pk: _pk, sk: _sk, ...token } = item;
  return token as unknown as ScimToken;
}
