// Reads the offline tables directly, to prove what a request did or did not write.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from '#local/dynamodb.ts';
import type { Environment } from '#local/runtime.ts';

export async function countItems(env: Environment): Promise<Record<string, number>> {
  const client = localDynamoClient(env.endpoints.dynamodb);
  const counts: Record<string, number> = {};
  for (const table of Object.values(env.tables)) {
    const { Count = 0 } = await client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
    counts[table] = Count;
  }
  client.destroy();
  return counts;
}
