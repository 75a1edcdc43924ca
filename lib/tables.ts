// The DynamoDB tables, built from the shared table definitions: on-demand, PITR, deletion-protected, retained.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { StoreTableNames, TableNames } from '#adapters/environment.ts';
import { type KeyAttribute, TABLES, type TableDefinition } from '#adapters/table-definitions.ts';
import type { TableKey } from './access.ts';

const key = (attribute: KeyAttribute) => ({
  name: attribute.name,
  type: attribute.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

export class GatehouseTables extends Construct {
  /** Each table by the environment variable that carries its name to the functions. */
  readonly byEnvVar: Record<TableKey, Table>;

  constructor(scope: Construct, id: string, definitions: readonly TableDefinition[] = TABLES) {
    super(scope, id);
    const tables: Partial<Record<string, Table>> = {};
    for (const definition of definitions) {
      const table = new Table(this, definition.name, {
        partitionKey: key(definition.partitionKey),
        sortKey: key(definition.sortKey),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        encryption: TableEncryption.AWS_MANAGED,
        removalPolicy: RemovalPolicy.RETAIN,
        ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
      });
      for (const index of definition.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: key(index.partitionKey),
          sortKey: key(index.sortKey),
          projectionType: ProjectionType.ALL,
        });
      }
      tables[definition.envVar] = table;
    }
    this.byEnvVar = tables as Record<TableKey, Table>;
  }

  /** The functions' table variables (a function lacking one fails synth: see GatehouseFunction). */
  environment(): TableNames {
    const names = {} as TableNames;
    for (const [envVar, table] of Object.entries(this.byEnvVar)) names[envVar as TableKey] = table.tableName;
    return names;
  }

  /** The Cognito triggers' tables: the stores and the registry, not the jobs. */
  storeEnvironment(): StoreTableNames {
    const { PROFILES_TABLE, HISTORY_TABLE, TENANTS_TABLE } = this.environment();
    return { PROFILES_TABLE, HISTORY_TABLE, TENANTS_TABLE };
  }
}
