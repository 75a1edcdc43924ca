// RoleStore on DynamoDB: each tenant's role catalogue under its partition, seeded with the built-in roles on
// first use, and kept per function instance for a short while, since every request's authorisation reads it. The
// role writes (DynamoRoleWrites) are a part the composition root gives only to a function that declares
// `roleWrites`, so no other bundle carries them (lambdas/adapters/wiring.ts).
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryEntry } from '#domain/history.ts';
import { BUILT_IN_ROLES, type Role } from '#domain/roles.ts';
import type { RoleStore, WriteOptions } from '#services/ports.ts';
import type { RoleWrites } from './dynamo-role-writes.ts';

/** The marker that says the catalogue was seeded; its roles follow it under `ROLE#<id>`. */
const SEEDED = 'ROLE';
export const ROLE = 'ROLE#';
export const ROLE_NAME = 'ROLENAME#';

/**
 * The catalogues an instance keeps, by tenant: a role store's own, or one shared by the role stores of a process
 * that serves several functions' routes (offline, the tests: lambdas/http/api-handler.ts), as a deployed
 * function's requests share theirs.
 */
export type RoleCatalogues = Map<string, { at: number; roles: ReadonlyMap<string, Role> }>;

/**
 * How long an instance trusts the catalogue it read. The caller's profile (who holds which role, whether they
 * are active) is read on every request; only what a role grants may lag by this much after it is edited.
 */
const FRESH_MS = 30_000;

export class DynamoRoleStore implements RoleStore {
  private readonly cache: RoleCatalogues;
  private readonly writer: RoleWrites;

  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      profilesTable: string;
      /** What answers the writes (DynamoRoleWrites): given only to a function that declares `roleWrites`. */
      writer: RoleWrites;
      catalogues?: RoleCatalogues;
      now?: () => number;
    },
  ) {
    this.cache = options.catalogues ?? new Map();
    this.writer = options.writer;
  }

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

  create(tenantId: string, role: Role, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    return this.forgetAfter(tenantId, this.writer.create(tenantId, role, entry, options));
  }

  update(tenantId: string, before: Role, after: Role, entry: HistoryEntry, options?: WriteOptions) {
    return this.forgetAfter(tenantId, this.writer.update(tenantId, before, after, entry, options));
  }

  delete(tenantId: string, role: Role, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    return this.forgetAfter(tenantId, this.writer.delete(tenantId, role, entry, options));
  }

  /** A write, succeeded or not, leaves the tenant's catalogue to be read again. */
  private async forgetAfter(tenantId: string, write: Promise<void>): Promise<void> {
    try {
      await write;
    } finally {
      this.cache.delete(tenantId);
    }
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
}
