// RoleStore on DynamoDB: each tenant's role catalogue under its partition, seeded with the built-in roles on
// first use, and kept per function instance for a short while, since every request's authorisation reads it.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { RoleRuleBroken, VersionConflict } from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import { BUILT_IN_ROLES, type Role } from '#domain/roles.ts';
import type { RoleStore, WriteOptions } from '#services/ports.ts';
import { completionItem } from './dynamo-idempotency-store.ts';
import { historyPut } from './history-items.ts';

/** The marker that says the catalogue was seeded; its roles follow it under `ROLE#<id>`. */
const SEEDED = 'ROLE';
const ROLE = 'ROLE#';
const ROLE_NAME = 'ROLENAME#';

/**
 * How long an instance trusts the catalogue it read. The caller's profile (who holds which role, whether they
 * are active) is read on every request; only what a role grants may lag by this much after it is edited.
 */
const FRESH_MS = 30_000;

export class DynamoRoleStore implements RoleStore {
  private readonly cache = new Map<string, { at: number; roles: ReadonlyMap<string, Role> }>();

  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      profilesTable: string;
      historyTable: string;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  async catalogue(tenantId: string): Promise<ReadonlyMap<string, Role>> {
    const cached = this.cache.get(tenantId);
    if (cached && this.now() - cached.at < FRESH_MS) return cached.roles;
    let items = await this.read(tenantId);
    if (!items.some((i) => i.sk === SEEDED)) {
      await this.seed(tenantId);
      items = await this.read(tenantId);
    }
    const roles = new Map(
      items
        .filter((i) => String(i.sk).startsWith(ROLE))
        .map((i) => {
          const { pk: _pk, sk: _sk, ...role } = i;
          return [role.id as string, role as unknown as Role];
        }),
    );
    this.cache.set(tenantId, { at: this.now(), roles });
    return roles;
  }

  async create(tenantId: string, role: Role, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    await this.write(
      tenantId,
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
      tenantId,
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
      tenantId,
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

  private async read(tenantId: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.profilesTable,
          KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :role)',
          ExpressionAttributeValues: { ':tenant': tenantId, ':role': SEEDED },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []).filter((i) => !String(i.sk).startsWith(ROLE_NAME)));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Writes the built-in roles once; a concurrent seeder's transaction fails on the marker, and both read the same. */
  private async seed(tenantId: string): Promise<void> {
    try {
      await this.options.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.options.profilesTable,
                Item: { pk: tenantId, sk: SEEDED },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...BUILT_IN_ROLES.flatMap((role) => [
              {
                Put: {
                  TableName: this.options.profilesTable,
                  Item: { pk: tenantId, sk: ROLE + role.id, ...role },
                },
              },
              {
                Put: {
                  TableName: this.options.profilesTable,
                  Item: { pk: tenantId, sk: ROLE_NAME + role.name.toLowerCase(), roleId: role.id },
                },
              },
            ]),
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
    }
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
    tenantId: string,
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
    } finally {
      this.cache.delete(tenantId);
    }
  }
}
