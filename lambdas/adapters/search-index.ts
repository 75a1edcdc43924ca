// The search index: items beside each profile, kept in the profile's own transactions, laid out so that a
// page costs reads in proportion to the page and the matches, never to the tenant's size.
//
//   pk `<tenant>#LIVE`                sk nameKey              every user who is not archived, by name
//   pk `<tenant>#F#<filter>=<value>`  sk nameKey              each filter value (status, role, team…), by name
//   pk `<tenant>#W#<first letter>`    sk `<word>\u0001nameKey` each word a keyword may start, then by name
//   pk `<tenant>#V#<first letter>`    sk `<word>`             the tenant's vocabulary: how many users have each word
//
// A keyword search reads the vocabulary words the keyword starts, then walks each word's users in name order
// from the cursor, merging: a page costs about (words matched × page size), whatever the tenant's size.
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  FILTERS,
  type FilterName,
  type Filters,
  filterValues,
  matchesFilters,
  matchesKeywords,
  nameKey,
  searchWords,
  words,
} from '#domain/search.ts';
import type { User } from '#domain/user.ts';
import type { Page, UserQuery } from '#services/ports.ts';
import { decodePosition, encodePosition } from './cursor.ts';

const SEP = '\u0001';

interface IndexItem {
  pk: string;
  sk: string;
  userId: string;
  nameKey: string;
  fv: Record<FilterName, string[]>;
  words?: string[];
}

export function indexItems(tenantId: string, user: User): IndexItem[] {
  const key = nameKey(user);
  const fv = filterValues(user);
  const base = { userId: user.id, nameKey: key, fv };
  const items: IndexItem[] = [];
  if (user.status !== 'archived') items.push({ pk: `${tenantId}#LIVE`, sk: key, ...base });
  for (const name of FILTERS) {
    for (const value of fv[name]) items.push({ pk: `${tenantId}#F#${name}=${value}`, sk: key, ...base });
  }
  const all = searchWords(user);
  for (const word of all) {
    items.push({ pk: `${tenantId}#W#${word.charAt(0)}`, sk: `${word}${SEP}${key}`, ...base, words: all });
  }
  return items;
}

const keyOf = (item: { pk: string; sk: string }) => `${item.pk}\n${item.sk}`;

/** The index writes of a change: items gone or moved are deleted, new or changed ones put. */
export function indexChanges(
  table: string,
  tenantId: string,
  before: User | undefined,
  after: User | undefined,
): IndexWrite[] {
  const old = new Map((before ? indexItems(tenantId, before) : []).map((i) => [keyOf(i), i]));
  const now = new Map((after ? indexItems(tenantId, after) : []).map((i) => [keyOf(i), i]));
  const writes: ReturnType<typeof indexChanges> = [];
  for (const [key, item] of old) {
    if (!now.has(key)) writes.push({ Delete: { TableName: table, Key: { pk: item.pk, sk: item.sk } } });
  }
  for (const [key, item] of now) {
    const was = old.get(key);
    if (!was || JSON.stringify(was) !== JSON.stringify(item))
      writes.push({ Put: { TableName: table, Item: item } });
  }
  // The vocabulary counts how many users have each word: a keyword search starts from it.
  const had = new Set(before ? searchWords(before) : []);
  const has = new Set(after ? searchWords(after) : []);
  const count = (word: string, delta: number): IndexWrite => ({
    Update: {
      TableName: table,
      Key: { pk: `${tenantId}#V#${word.charAt(0)}`, sk: word },
      UpdateExpression: 'ADD n :delta',
      ExpressionAttributeValues: { ':delta': delta },
    },
  });
  for (const word of had) if (!has.has(word)) writes.push(count(word, -1));
  for (const word of has) if (!had.has(word)) writes.push(count(word, 1));
  return writes;
}

type IndexWrite = {
  Put?: { TableName: string; Item: IndexItem };
  Delete?: { TableName: string; Key: { pk: string; sk: string } };
  Update?: {
    TableName: string;
    Key: { pk: string; sk: string };
    UpdateExpression: string;
    ExpressionAttributeValues: Record<string, number>;
  };
};

/** Reads one page of a query through the index, then the page's profiles. */
export class DynamoUserSearch {
  constructor(private readonly options: { client: DynamoDBDocumentClient; profilesTable: string }) {}

  async search(tenantId: string, query: UserQuery): Promise<Page<User>> {
    const keywords = [...new Set(words(query.q ?? ''))];
    const filters: Filters = { ...query.filters };
    const after = query.cursor ? decodePosition(query.cursor, 1)[0] : undefined;
    // Without a status filter, the archived are left out (the Active tab); status=archived is the Archived tab.
    const liveOnly = filters.status === undefined;
    const wanted = (item: IndexItem) =>
      (!liveOnly || !item.fv.status.includes('archived')) &&
      matchesFilters(item.fv, filters) &&
      (!query.within || query.within(item.fv)) &&
      (keywords.length === 0 || matchesKeywords(item.words ?? [], keywords));

    const skip = query.skip ?? 0;
    const wantedCount = skip + query.limit + 1;
    let hits: IndexItem[];
    if (keywords.length > 0) {
      // The most telling keyword's words, each walked in name order from the cursor, merged.
      const longest = keywords.reduce((a, b) => (b.length > a.length ? b : a));
      const vocabulary = await this.vocabulary(tenantId, longest);
      hits = await this.merge(
        vocabulary.map((word) =>
          this.walk(`${tenantId}#W#${word.charAt(0)}`, `${word}${SEP}`, after, wantedCount),
        ),
        wantedCount,
        wanted,
      );
    } else {
      // Without keywords: one partition already in name order, the most selective the filters allow.
      const [name, value] = mostSelective(filters);
      const pk = name ? `${tenantId}#F#${name}=${value}` : `${tenantId}#LIVE`;
      hits = await this.readInOrder(pk, after, wantedCount, wanted);
    }
    hits = hits.slice(skip);
    const page = hits.slice(0, query.limit);
    const last = page.at(-1);
    const items = await this.profiles(
      tenantId,
      page.map((h) => h.userId),
    );
    return { items, ...(hits.length > query.limit && last ? { next: encodePosition([last.nameKey]) } : {}) };
  }

  /** How many users are not archived: the name index's keys, counted a page (1 MB) at a time. */
  async countLive(tenantId: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.profilesTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${tenantId}#LIVE` },
          Select: 'COUNT',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /** The tenant's words that start with `prefix` and some user still has. */
  private async vocabulary(tenantId: string, prefix: string): Promise<string[]> {
    const found: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.profilesTable,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `${tenantId}#V#${prefix.charAt(0)}`, ':prefix': prefix },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) if (Number(item.n) > 0) found.push(String(item.sk));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** One word's users in name order, after `after`, read `chunk` at a time as the merge asks for more. */
  private async *walk(
    pk: string,
    prefix: string,
    after: string | undefined,
    chunk: number,
  ): AsyncGenerator<IndexItem> {
    let start: Record<string, unknown> | undefined =
      after === undefined ? undefined : { pk, sk: `${prefix}${after}` };
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.profilesTable,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          Limit: chunk,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      yield* (page.Items ?? []) as IndexItem[];
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** Merges name-ordered walks, one user once, until `count` pass `wanted` or every walk ends. */
  private async merge(
    walks: AsyncGenerator<IndexItem>[],
    count: number,
    wanted: (item: IndexItem) => boolean,
  ): Promise<IndexItem[]> {
    const heads = await Promise.all(
      walks.map(async (w) => ({ walk: w, item: (await w.next()).value as IndexItem | undefined })),
    );
    const found: IndexItem[] = [];
    let last: string | undefined;
    while (found.length < count) {
      let next: (typeof heads)[number] | undefined;
      for (const head of heads) {
        if (head.item && (!next?.item || head.item.nameKey < next.item.nameKey)) next = head;
      }
      if (!next?.item) break;
      const item = next.item;
      next.item = (await next.walk.next()).value as IndexItem | undefined;
      if (item.nameKey === last) continue; // the same user through another of their words
      last = item.nameKey;
      if (wanted(item)) found.push(item);
    }
    await Promise.all(heads.map((h) => h.walk.return(undefined)));
    return found;
  }

  /** Reads on from `after` until `count` items pass `wanted` or the partition ends. */
  private async readInOrder(
    pk: string,
    after: string | undefined,
    count: number,
    wanted: (item: IndexItem) => boolean,
  ): Promise<IndexItem[]> {
    const found: IndexItem[] = [];
    let start: Record<string, unknown> | undefined = after === undefined ? undefined : { pk, sk: after };
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.profilesTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          Limit: Math.max(count - found.length, 10),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of (page.Items ?? []) as IndexItem[]) {
        if (found.length < count && wanted(item)) found.push(item);
      }
      start = found.length < count ? page.LastEvaluatedKey : undefined;
    } while (start);
    return found;
  }

  private async profiles(tenantId: string, ids: string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const keys = ids.map((id) => ({ pk: tenantId, sk: `USER#${id}` }));
    const found = new Map<string, User>();
    let pending: typeof keys | undefined = keys;
    while (pending && pending.length > 0) {
      const result = await this.options.client.send(
        new BatchGetCommand({ RequestItems: { [this.options.profilesTable]: { Keys: pending } } }),
      );
      for (const item of result.Responses?.[this.options.profilesTable] ?? []) {
        const { pk: _pk, sk: _sk, ...user } = item;
        found.set(user.id as string, user as unknown as User);
      }
      pending = result.UnprocessedKeys?.[this.options.profilesTable]?.Keys as typeof keys | undefined;
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }
}

/** A filter's own partition holds only its matches; the rarer kinds of value are tried first. */
function mostSelective(filters: Filters): [FilterName | undefined, string | undefined] {
  for (const name of ['externalId', 'client', 'team', 'area', 'licence', 'role', 'type', 'status'] as const) {
    if (filters[name] !== undefined) return [name, filters[name]];
  }
  return [undefined, undefined];
}
