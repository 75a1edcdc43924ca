// Deletes every item of one tenant from the data tables, for a purge: found by scanning for the tenant's keys, so
// no list of item kinds can fall behind the stores that write them.

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchWriteItemCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { TenantDataSweeper } from '#services/purge-tenant.ts';

export interface SweptTable {
  tableName: string;
  partitionKey: string;
  sortKey: string;
}

/** BatchWriteItem's most requests per call. */
const BATCH = 25;
const MAX_ATTEMPTS = 8;

export class DynamoTenantSweeper implements TenantDataSweeper {
  constructor(
    private readonly options: {
      client: DynamoDBClient;
      tables: readonly SweptTable[];
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  async sweep(tenantId: string): Promise<number> {
    let deleted = 0;
    for (const table of this.options.tables) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        // Every key of a tenant starts with its id (`acme`, `acme#…`); an item in a shared partition (a job in the
        // worker's list) names it in `tenantId`. Ids are lower-case letters and digits, so `acme#` is no other's.
        const page = await this.options.client.send(
          new ScanCommand({
            TableName: table.tableName,
            FilterExpression: '#pk = :id OR begins_with(#pk, :prefix) OR #tenant = :id',
            ExpressionAttributeNames: {
              '#pk': table.partitionKey,
              '#sk': table.sortKey,
              '#tenant': 'tenantId',
            },
            ExpressionAttributeValues: { ':id': { S: tenantId }, ':prefix': { S: `${tenantId}#` } },
            ProjectionExpression: '#pk, #sk',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        const keys = page.Items ?? [];
        for (let i = 0; i < keys.length; i += BATCH)
          await this.delete(table.tableName, keys.slice(i, i + BATCH));
        deleted += keys.length;
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return deleted;
  }

  /** One batch, its unprocessed part retried with backoff (a purge may run into the table's throughput). */
  private async delete(tableName: string, keys: Record<string, AttributeValue>[]): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS)
        throw new Error(`${tableName}: ${requests.length} deletes left unprocessed`);
      const { UnprocessedItems } = await this.options.client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
      if (requests.length > 0) await sleep(50 * 2 ** attempt);
    }
  }
}
