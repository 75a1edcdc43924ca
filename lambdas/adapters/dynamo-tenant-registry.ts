// The tenant registry on DynamoDB: one item per tenant id and one per issuer, both holding the whole record,
// written together; reads cached per function instance for a short time.
import {
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type Tenant,
  type TenantRecord,
  type TenantRecordInput,
  TenantRecordSchema,
  toTenant,
} from '#domain/tenant.ts';
import type { TenantRegistry } from '#services/ports.ts';

/** How long a read is trusted: the longest a retired tenant's warm instance still serves it. */
export const DEFAULT_TENANT_CACHE_SECONDS = 30;
/** An unknown id or issuer is asked again sooner: a tenant just added is found within this. */
const MISS_TTL_MS = 2_000;
/** Bounds the cache (a token may name any issuer): the oldest entries go first. */
const MAX_ENTRIES = 2_000;

const idKey = (id: string) => ({ pk: { S: `TENANT#${id}` }, sk: { S: 'TENANT' } });
const issuerKey = (issuer: string) => ({ pk: { S: `ISSUER#${issuer}` }, sk: { S: 'ISSUER' } });

interface Cached {
  expires: number;
  value: Promise<Tenant | undefined>;
}

export interface DynamoTenantRegistryOptions {
  /** The low-level client: the record is one JSON string attribute, parsed by its schema on every read. */
  client: DynamoDBClient;
  tableName: string;
  cacheSeconds?: number;
  now?: () => number;
}

/**
 * The registry as the functions read it: a tenant by its id or its pool's issuer, cached. Apart from the writes
 * (DynamoTenantRegistry), which only the registry's custom resource, the reconciler, the purge and the platform
 * command use, so no API function or trigger bundles them.
 */
export class DynamoTenantReader implements TenantRegistry {
  private readonly cache = new Map<string, Cached>();

  constructor(protected readonly options: DynamoTenantRegistryOptions) {}

  byId(id: string): Promise<Tenant | undefined> {
    return this.cached(`id:${id}`, () => this.read(idKey(id)));
  }

  byIssuer(issuer: string): Promise<Tenant | undefined> {
    return this.cached(`iss:${issuer}`, () => this.read(issuerKey(issuer)));
  }

  private async read(key: ReturnType<typeof idKey>): Promise<Tenant | undefined> {
    const record = await this.readRecord(key);
    return record ? toTenant(record) : undefined;
  }

  protected async readRecord(key: ReturnType<typeof idKey>): Promise<TenantRecord | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: key, ConsistentRead: true }),
    );
    return Item ? parseRecord(Item.record?.S) : undefined;
  }

  private cached(key: string, load: () => Promise<Tenant | undefined>): Promise<Tenant | undefined> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit.value;
    const ttl = (this.options.cacheSeconds ?? DEFAULT_TENANT_CACHE_SECONDS) * 1000;
    const entry: Cached = { expires: now + ttl, value: load() };
    // A miss or a failed read is not kept long: the next request asks again.
    entry.value.then(
      (tenant) => {
        if (!tenant) {
          entry.expires = Math.min(entry.expires, now + MISS_TTL_MS);
          return;
        }
        // Both items hold the whole record: a read by id answers by issuer too, and the reverse (a trigger that
        // met the tenant by a login's id finds it by its pool's issuer without a second read).
        for (const other of [`id:${tenant.id}`, `iss:${tenant.issuer}`]) {
          const held = this.cache.get(other);
          if (other !== key && !(held && held.expires > now)) {
            this.cache.set(other, { expires: entry.expires, value: Promise.resolve(tenant) });
          }
        }
      },
      () => this.cache.delete(key),
    );
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    return entry.value;
  }

  protected forget(id: string, issuer: string): void {
    this.cache.delete(`id:${id}`);
    this.cache.delete(`iss:${issuer}`);
  }
}

/** The registry with its writes and its full listing (see DynamoTenantReader for who uses which). */
export class DynamoTenantRegistry extends DynamoTenantReader {
  /** Every record, retired ones included: for the platform command and the reconciler, never a request. */
  async list(): Promise<Tenant[]> {
    const tenants: Tenant[] = [];
    let start: Record<string, { S: string }> | undefined;
    do {
      const page = await this.options.client.send(
        new ScanCommand({
          TableName: this.options.tableName,
          FilterExpression: 'sk = :tenant',
          ExpressionAttributeValues: { ':tenant': { S: 'TENANT' } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) tenants.push(toTenant(parseRecord(item.record?.S)));
      start = page.LastEvaluatedKey as typeof start;
    } while (start);
    return tenants.sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Writes the record under its id and its issuer in one transaction; a record that moved to another issuer
   * (its pool replaced) leaves no item under the old one. A retired tenant stays retired: a redeploy of its
   * stack must not let its users back in (`reinstate` says so explicitly).
   */
  async put(input: TenantRecordInput, options: { reinstate?: boolean } = {}): Promise<Tenant> {
    const before = await this.readRecord(idKey(input.id));
    const record = TenantRecordSchema.parse({
      ...input,
      status: before?.status === 'retired' && !options.reinstate ? 'retired' : input.status,
    });
    await this.write(record, before);
    this.forget(record.id, record.issuer);
    return toTenant(record);
  }

  /** Marks the tenant retired (kept, with its pool and data); answers undefined for an unknown id. */
  async retire(id: string): Promise<Tenant | undefined> {
    const before = await this.readRecord(idKey(id));
    if (!before) return undefined;
    const record: TenantRecord = { ...before, status: 'retired' };
    await this.write(record, before);
    this.forget(id, record.issuer);
    return toTenant(record);
  }

  /**
   * Removes the record under its id and under its issuer in one transaction (a purge's last step): no item is left
   * naming a pool that no longer exists. Answers false for an unknown id.
   */
  async remove(id: string): Promise<boolean> {
    const before = await this.readRecord(idKey(id));
    if (!before) return false;
    const deletes: TransactWriteItem[] = [idKey(id), issuerKey(before.issuer)].map((Key) => ({
      Delete: { TableName: this.options.tableName, Key },
    }));
    await this.options.client.send(new TransactWriteItemsCommand({ TransactItems: deletes }));
    this.forget(id, before.issuer);
    return true;
  }

  private async write(record: TenantRecord, before: TenantRecord | undefined): Promise<void> {
    const item = (key: ReturnType<typeof idKey>) => ({
      ...key,
      tenantId: { S: record.id },
      record: { S: JSON.stringify(record) },
    });
    await this.options.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: this.options.tableName, Item: item(idKey(record.id)) } },
          { Put: { TableName: this.options.tableName, Item: item(issuerKey(record.issuer)) } },
          ...(before && before.issuer !== record.issuer
            ? [{ Delete: { TableName: this.options.tableName, Key: issuerKey(before.issuer) } }]
            : []),
        ],
      }),
    );
  }
}

function parseRecord(text: string | undefined): TenantRecord {
  return TenantRecordSchema.parse(JSON.parse(text ?? 'null'));
}
