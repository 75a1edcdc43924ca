// Search and listing cost at two tenant sizes: the same searches on 1,000 and 20,000 users, items read and time
// per page. The budget: the larger tenant's figures within 1.5× the smaller's.
import { performance } from 'node:perf_hooks';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoUserSearch, indexItems } from '#adapters/search-index.ts';
import { TABLES } from '#adapters/table-definitions.ts';
import { searchWords } from '#domain/search.ts';
import type { User } from '#domain/user.ts';
import { ensureTables, localDynamoClient, startLocalDynamo } from '#local/dynamodb.ts';

const FIRST = [
  'Anna',
  'Jo',
  'John',
  'Maria',
  'Erik',
  'Lars',
  'Ingrid',
  'Per',
  'Kari',
  'Ola',
  'Sofie',
  'Jonas',
  'Nina',
  'Emil',
  'Ida',
  'Tor',
];
const LAST = [
  'Berg',
  'Hansen',
  'Johansen',
  'Olsen',
  'Larsen',
  'Andersen',
  'Pedersen',
  'Nilsen',
  'Kristiansen',
  'Jensen',
  'Karlsen',
  'Johnsen',
  'Pettersen',
  'Eriksen',
  'Berntsen',
  'Jacobsen',
];
const CITY = ['Oslo', 'Bergen', 'Trondheim', 'Stavanger', 'Jönköping', 'Tromsø', 'Drammen', 'Fredrikstad'];
const TEAMS = ['north', 'south', 'east', 'west'];

/** A tenant's users, the same mix at any size: the i-th user is always the same person. */
function user(i: number, tag: string): User {
  const at = '2026-01-01T00:00:00.000Z';
  const by = { id: 'bench', name: 'Bench' };
  const first = FIRST[i % FIRST.length] as string;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    firstName: first,
    lastName: last,
    email: `${first}.${last}.${i}@${tag}.example.com`.toLowerCase(),
    company: `Company ${i % 50}`,
    address: { city: CITY[i % CITY.length] as string, postalCode: String(1000 + (i % 9000)) },
    mobilePhone: `+47 9${String(i).padStart(7, '0')}`,
    teams: [TEAMS[i % TEAMS.length] as string],
    roles: [],
    userType: i % 10 === 0 ? 'external' : 'internal',
    ...(i % 10 === 0 ? { clientOrganisation: 'contoso' } : {}),
    ...(i % 3 === 0 ? { licenceType: 'engineer' } : {}),
    status: i % 20 === 0 ? 'archived' : 'active',
    createdAt: at,
    createdBy: by,
    updatedAt: at,
    updatedBy: by,
    version: 1,
  };
}

async function seed(client: DynamoDBDocumentClient, table: string, tenantId: string, count: number) {
  const items: Record<string, unknown>[] = [];
  const vocabulary = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const u = user(i, tenantId);
    items.push(
      { pk: tenantId, sk: `USER#${u.id}`, ...u },
      ...(indexItems(tenantId, u) as unknown as Record<string, unknown>[]),
    );
    for (const word of searchWords(u)) vocabulary.set(word, (vocabulary.get(word) ?? 0) + 1);
  }
  // What the profile transactions' vocabulary counts add up to.
  for (const [word, n] of vocabulary) items.push({ pk: `${tenantId}#V#${word.charAt(0)}`, sk: word, n });
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = batches[next++]?.map((Item) => ({ PutRequest: { Item } }));
      while (pending && pending.length > 0) {
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = result.UnprocessedItems?.[table] as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return items.length;
}

export const SEARCHES: [string, Parameters<DynamoUserSearch['search']>[1]][] = [
  ['default list, first page', { limit: 25 }],
  ['default list, third page', { limit: 25 }],
  ['q=jo', { q: 'jo', limit: 25 }],
  ['q=berg jo', { q: 'berg jo', limit: 25 }],
  ['q=jönköping', { q: 'jönköping', limit: 25 }],
  ['team=north', { filters: { team: 'north' }, limit: 25 }],
  ['q=jo + licence=engineer', { q: 'jo', filters: { licence: 'engineer' }, limit: 25 }],
  ['status=archived', { filters: { status: 'archived' }, limit: 25 }],
];

export async function searchBench(sizes = [1000, 20000]) {
  const dynamo = await startLocalDynamo({});
  try {
    const raw = localDynamoClient(dynamo.endpoint);
    const tables = await ensureTables(raw, 'bench-', TABLES);
    const table = tables.PROFILES_TABLE as string;
    // Counts every item DynamoDB reads for the searches, from the capacity it reports.
    let itemsRead = 0;
    raw.middlewareStack.add(
      (next) => async (args) => {
        const input = (args as { input: Record<string, unknown> }).input;
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const output = result.output as { Count?: number; Responses?: Record<string, unknown[]> };
        itemsRead += output.Count ?? Object.values(output.Responses ?? {}).reduce((n, r) => n + r.length, 0);
        return result;
      },
      { step: 'initialize', name: 'countReads' },
    );
    const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    const searcher = new DynamoUserSearch({ client, profilesTable: table });
    const rows: Record<string, Record<number, { items: number; ms: number }>> = {};
    for (const size of sizes) {
      const tenant = `t${size}`;
      const started = performance.now();
      const written = await seed(client, table, tenant, size);
      console.error(
        `seeded ${size} users (${written} items) in ${Math.round(performance.now() - started)} ms`,
      );
      for (const [name, query] of SEARCHES) {
        let cursor: string | undefined;
        if (name.includes('third page')) {
          for (let p = 0; p < 2; p++)
            cursor = (await searcher.search(tenant, { ...query, ...(cursor ? { cursor } : {}) })).next;
        }
        const runs: { items: number; ms: number }[] = [];
        for (let r = 0; r < 9; r++) {
          itemsRead = 0;
          const t0 = performance.now();
          await searcher.search(tenant, { ...query, ...(cursor ? { cursor } : {}) });
          runs.push({ items: itemsRead, ms: performance.now() - t0 });
        }
        runs.sort((a, b) => a.ms - b.ms);
        rows[name] = { ...rows[name], [size]: runs[4] as { items: number; ms: number } };
      }
    }
    raw.destroy();
    return rows;
  } finally {
    await dynamo.stop();
  }
}

/** The budget: each figure for the larger tenant within this multiple of the smaller's. */
const BUDGET = 1.5;

if (import.meta.url === `file://${process.argv[1]}`) {
  const watchdog = setTimeout(() => {
    console.error('bench/search: still running after 240 s; stopping');
    process.exit(2);
  }, 240_000);
  watchdog.unref();
  const given = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const sizes = given.length >= 2 ? given : [1000, 20000];
  const [small, large] = sizes as [number, number];
  const rows = await searchBench(sizes);
  console.log(
    `\ne. Search and listing: the same searches on ${small} and ${large} users (median of 9; budget ≤ ${BUDGET}×)\n`,
  );
  console.log(
    `| search | items read, ${small} | items read, ${large} | × | ms/page, ${small} | ms/page, ${large} | × | ≤ ${BUDGET}× |`,
  );
  console.log('| --- | --: | --: | --: | --: | --: | --: | --- |');
  let failed = 0;
  for (const [name, bySize] of Object.entries(rows)) {
    const a = bySize[small];
    const b = bySize[large];
    if (!a || !b) continue;
    const items = b.items / a.items;
    const ms = b.ms / a.ms;
    const pass = items <= BUDGET && ms <= BUDGET;
    if (!pass) failed++;
    console.log(
      `| ${name} | ${a.items} | ${b.items} | ${items.toFixed(2)}× | ${a.ms.toFixed(1)} | ${b.ms.toFixed(1)} | ${ms.toFixed(2)}× | ${pass ? 'PASS' : 'FAIL'} |`,
    );
  }
  console.log(
    `\n${Object.keys(rows).length - failed} of ${Object.keys(rows).length} searches within budget.`,
  );
}
