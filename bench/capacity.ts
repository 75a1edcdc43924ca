// DynamoDB capacity per call: what DynamoDB Local reports (the bench asks with ReturnConsumedCapacity, which
// production code does not pass), and what on-demand DynamoDB charges by AWS's published rules, computed from
// the sizes of the items each write touches. The two differ: DynamoDB Local reports a transaction that writes
// several items of one table as if it wrote one, and never counts the writes to a global secondary index.
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '#adapters/table-definitions.ts';

export interface CallCapacity {
  action: string;
  /** As DynamoDB Local reported it (ConsumedCapacity.CapacityUnits, summed over tables). */
  reported: number;
  /** Read and write request units by AWS's rules (the bench's cost model uses these). */
  rru: number;
  wru: number;
}

type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
type Item = Record<string, AttributeValue>;
interface Touched {
  table: TableDefinition;
  tableName: string;
  key: Item;
  before?: Item;
  after?: Item;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const KB = 1024;

export interface CapacityMeter {
  /** Capacity of every DynamoDB call made while `during` runs. */
  during<T>(work: () => Promise<T>): Promise<{ result: T; capacity: CallCapacity[] }>;
  stop(): void;
}

/**
 * Adds ReturnConsumedCapacity to each call on `client` while measuring, and reads every item a write
 * touches before and after it (with a client of its own, so those reads are neither counted nor measured).
 */
export function meterCapacity(
  client: { middlewareStack: { add(middleware: never, options: object): void } },
  options: { endpoint: string; region: string; tables: Record<string, TableDefinition> },
): CapacityMeter {
  const raw = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let measuring: CallCapacity[] | undefined;

  const read = async (touched: Touched) =>
    (
      await raw.send(
        new GetItemCommand({ TableName: touched.tableName, Key: touched.key, ConsistentRead: true }),
      )
    ).Item;

  const middleware =
    (next: Next, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
      const action = (context.commandName ?? '').replace(/Command$/, '');
      const log = measuring;
      if (!log || !(READS.has(action) || WRITES.has(action))) return next(args);
      args.input.ReturnConsumedCapacity = 'TOTAL';
      const touched = WRITES.has(action) ? touchedBy(action, args.input, options.tables) : [];
      for (const t of touched) t.before = await read(t);
      const transactional = action === 'TransactWriteItems';
      try {
        const result = await next(args);
        for (const t of touched) t.after = await read(t);
        const reported = unitsOf(result.output.ConsumedCapacity);
        log.push(
          READS.has(action)
            ? { action, reported, rru: reported, wru: 0 }
            : { action, reported, rru: 0, wru: sum(touched.map((t) => writeUnits(t, transactional))) },
        );
        return result;
      } catch (error) {
        // A refused conditional write is charged too, for the item it read.
        const refused = ['ConditionalCheckFailedException', 'TransactionCanceledException'].includes(
          (error as Error).name,
        );
        if (refused && touched.length > 0) {
          const wru = sum(touched.map((t) => Math.max(1, Math.ceil(sizeOf(t.before) / KB))));
          log.push({ action, reported: 0, rru: 0, wru: transactional ? 2 * wru : wru });
        }
        throw error;
      }
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'capacityMeter' });

  return {
    async during(work) {
      const capacity: CallCapacity[] = [];
      measuring = capacity;
      try {
        return { result: await work(), capacity };
      } finally {
        measuring = undefined;
      }
    },
    stop: () => raw.destroy(),
  };
}

/**
 * One write request unit per KB of the larger of the item before and after, at least one; a transaction
 * charges two. Each global index the item is (or was) in is written too, at the standard rate (AWS's
 * transaction pricing doubles the table's writes; the index updates are ordinary replication writes).
 */
function writeUnits(t: Touched, transactional: boolean): number {
  const units = (item: Item | undefined) => Math.max(1, Math.ceil(sizeOf(item) / KB));
  const table = Math.max(units(t.before), units(t.after)) * (transactional ? 2 : 1);
  let indexes = 0;
  for (const index of t.table.globalIndexes) {
    const keys = [index.partitionKey.name, index.sortKey.name];
    const inBefore = t.before && keys.every((k) => k in (t.before as Item));
    const inAfter = t.after && keys.every((k) => k in (t.after as Item));
    const sameKeys =
      inBefore &&
      inAfter &&
      keys.every((k) => JSON.stringify(t.before?.[k]) === JSON.stringify(t.after?.[k]));
    if (sameKeys) indexes += Math.max(units(t.before), units(t.after));
    else indexes += (inBefore ? units(t.before) : 0) + (inAfter ? units(t.after) : 0);
  }
  return table + indexes;
}

/** The items a write touches, by their key, from the DocumentClient's input (plain values). */
function touchedBy(
  action: string,
  input: Record<string, unknown>,
  tables: Record<string, TableDefinition>,
): Touched[] {
  const ref = (tableName: unknown, keyOrItem: unknown): Touched => {
    const table = tables[String(tableName)];
    if (!table) throw new Error(`The bench knows no table ${String(tableName)}`);
    const values = keyOrItem as Record<string, unknown>;
    const key: Item = {};
    for (const attribute of [table.partitionKey, table.sortKey]) {
      const value = String(values[attribute.name]);
      key[attribute.name] = attribute.type === 'S' ? { S: value } : { N: value };
    }
    return { table, tableName: String(tableName), key };
  };
  switch (action) {
    case 'PutItem':
      return [ref(input.TableName, input.Item)];
    case 'UpdateItem':
    case 'DeleteItem':
      return [ref(input.TableName, input.Key)];
    case 'BatchWriteItem':
      return Object.entries(
        input.RequestItems as Record<string, Record<string, Record<string, unknown>>[]>,
      ).flatMap(([name, requests]) =>
        requests.map((r) => ref(name, r.PutRequest?.Item ?? r.DeleteRequest?.Key)),
      );
    case 'TransactWriteItems':
      return (input.TransactItems as Record<string, Record<string, unknown>>[]).map((item) => {
        const [operation] = Object.values(item) as Record<string, unknown>[];
        return ref(operation?.TableName, operation?.Item ?? operation?.Key);
      });
    default:
      return [];
  }
}

/** An item's size as DynamoDB counts it: names and values, 3 bytes per list or map, 1 per element. */
export function sizeOf(item: Item | undefined): number {
  if (!item) return 0;
  return sum(Object.entries(item).map(([name, value]) => Buffer.byteLength(name) + valueSize(value)));
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return sum(value.SS.map((s) => Buffer.byteLength(s)));
  if (value.NS) return sum(value.NS.map(numberSize));
  if (value.BS) return sum(value.BS.map((b) => b.length));
  if (value.L) return 3 + sum(value.L.map((v) => 1 + valueSize(v)));
  if (value.M)
    return 3 + sum(Object.entries(value.M).map(([k, v]) => Buffer.byteLength(k) + 1 + valueSize(v)));
  return 0;
}

/** One byte per two significant digits, plus one. */
function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function unitsOf(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return sum(list.map((c: { CapacityUnits?: number }) => c.CapacityUnits ?? 0));
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
