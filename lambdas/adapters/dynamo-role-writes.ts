// The role store's writes (RoleStore's create, update, delete): each role change with its name claim, history
// entry (and any idempotency completion) in one transaction. Apart from the catalogue (DynamoRoleStore), which
// every function reads, so a function that declares no `roleWrites` bundles none of it.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { RoleRuleBroken, VersionConflict } from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import type { Role } from '#domain/roles.ts';
import type { RoleStore, WriteOptions } from '#services/ports.ts';
import { completionItem } from './dynamo-idempotency-store.ts';
import { ROLE, ROLE_NAME } from './dynamo-role-store.ts';
import { historyPut } from './history-items.ts';

/** What of RoleStore changes roles: given to DynamoRoleStore by the composition root, which forgets its cache after each. */
export type RoleWrites = Pick<RoleStore, 'create' | 'update' | 'delete'>;

export class DynamoRoleWrites implements RoleWrites {
  constructor(
    private readonly options: { client: DynamoDBDocumentClient; profilesTable: string; historyTable: string },
  ) {}

  async create(tenantId: string, role: Role, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    await this.write(
      [
        this.put(tenantId, role, 'attribute_not_exists(pk)'),
        this.claimName(tenantId, role),
        historyPut(this.options.historyTable, tenantId, entry),
        ...this.completion(options),
      ],
      () => new RoleRuleBroken(`A role with the id ${role.id} or the name ${role.name} exists already.`),
    );
  }

  async update(
    tenantId: string,
    before: Role,
    after: Role,
    entry: HistoryEntry,
    options?: WriteOptions,
  ): Promise<void> {
    const renamed = before.name.toLowerCase() !== after.name.toLowerCase();
    await this.write(
      [
        this.put(tenantId, after, 'version = :expected', before.version),
        ...(renamed ? [this.claimName(tenantId, after), this.releaseName(tenantId, before)] : []),
        historyPut(this.options.historyTable, tenantId, entry),
        ...this.completion(options),
      ],
      (index) =>
        index === 0
          ? new VersionConflict()
          : new RoleRuleBroken(`A role named ${after.name} exists already.`),
    );
  }

  async delete(tenantId: string, role: Role, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    await this.write(
      [
        {
          Delete: {
            TableName: this.options.profilesTable,
            Key: { pk: tenantId, sk: ROLE + role.id },
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': role.version },
          },
        },
        this.releaseName(tenantId, role),
        historyPut(this.options.historyTable, tenantId, entry),
        ...this.completion(options),
      ],
      () => new VersionConflict(),
    );
  }

  private put(tenantId: string, role: Role, condition: string, expected?: number) {
    return {
      Put: {
        TableName: this.options.profilesTable,
        Item: { pk: tenantId, sk: ROLE + role.id, ...role },
        ConditionExpression: condition,
        ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
      },
    };
  }

  /** Role names are unique per tenant, whatever their case. */
  private claimName(tenantId: string, role: Role) {
    return {
      Put: {
        TableName: this.options.profilesTable,
        Item: { pk: tenantId, sk: ROLE_NAME + role.name.toLowerCase(), roleId: role.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private releaseName(tenantId: string, role: Role) {
    return {
      Delete: {
        TableName: this.options.profilesTable,
        Key: { pk: tenantId, sk: ROLE_NAME + role.name.toLowerCase() },
      },
    };
  }

  private completion(options: WriteOptions | undefined) {
    return options?.completes
      ? [completionItem(this.options.profilesTable, options.completes, options.result ?? null)]
      : [];
  }

  private async write(
    items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
    refused: (index: number) => Error,
  ): Promise<void> {
    try {
      await this.options.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const index = error.CancellationReasons?.findIndex((r) => r.Code === 'ConditionalCheckFailed') ?? -1;
      if (index >= 0) throw refused(index);
      throw error;
    }
  }
}
