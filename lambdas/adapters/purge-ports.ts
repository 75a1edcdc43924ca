// The ports of a tenant's purge, on the deployment's (or the offline backend's) tables and Cognito.
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PurgePorts } from '#services/purge-tenant.ts';
import { CognitoPoolRemover } from './cognito-pool-remover.ts';
import { DynamoTenantRegistry } from './dynamo-tenant-registry.ts';
import { DynamoTenantSweeper } from './dynamo-tenant-sweeper.ts';
import { TABLES, TENANTS_TABLE } from './table-definitions.ts';

/** `tables`: each table's real name by its environment variable, as the functions get them. */
export function purgePorts(
  clients: { dynamo: DynamoDBClient; cognito: CognitoIdentityProviderClient },
  tables: Readonly<Record<string, string | undefined>>,
): PurgePorts {
  const nameOf = (envVar: string) => {
    const name = tables[envVar];
    if (!name) throw new Error(`No table name for ${envVar}`);
    return name;
  };
  return {
    // Never cached: the purge acts on what the registry holds now.
    registry: new DynamoTenantRegistry({
      client: clients.dynamo,
      tableName: nameOf(TENANTS_TABLE.envVar),
      cacheSeconds: 0,
    }),
    pools: new CognitoPoolRemover({ client: clients.cognito }),
    // Every table but the registry, whose record goes last, by itself.
    data: new DynamoTenantSweeper({
      client: clients.dynamo,
      tables: TABLES.filter((t) => t.envVar !== TENANTS_TABLE.envVar).map((t) => ({
        tableName: nameOf(t.envVar),
        partitionKey: t.partitionKey.name,
        sortKey: t.sortKey.name,
      })),
    }),
  };
}
