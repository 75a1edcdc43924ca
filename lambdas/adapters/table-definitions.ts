// The DynamoDB tables: keys and indexes, defined once for the CDK stacks and the offline runtime.

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  /** Logical name: the CDK construct id and, offline, the table name after the prefix. */
  name: string;
  /** The environment variable that carries the table's real name to the functions. */
  envVar: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalIndexes: { name: string; partitionKey: KeyAttribute; sortKey: KeyAttribute }[];
  timeToLiveAttribute?: string;
}

/** Every table is keyed the same way, strings `pk` and `sk`: a definition names what it adds to that. */
const keyedTable = <const T extends Pick<TableDefinition, 'name' | 'envVar'> & Partial<TableDefinition>>(
  table: T,
) =>
  ({
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [],
    ...table,
  }) satisfies TableDefinition;

/**
 * profiles: pk = tenant id; sk = `USER#<userId>` for a profile, `EMAIL#<email>` for the claim that
 * keeps an email unique within the tenant, `COUNT#ACTIVE_ADMINS` for the count that keeps one
 * administrator, `IDEMPOTENCY#<caller>#<key>` for an idempotency key (expired by TTL).
 */
export const PROFILES_TABLE = keyedTable({
  name: 'profiles',
  envVar: 'PROFILES_TABLE',
  timeToLiveAttribute: 'expiresAt',
});

/**
 * history: pk = `<tenant>#<userId>`, sk = `<ISO time>#<entry id>`, so a user's entries read newest
 * first; the byTenant index (pk = tenant id) reads the whole tenant's history the same way.
 */
export const HISTORY_TABLE = keyedTable({
  name: 'history',
  envVar: 'HISTORY_TABLE',
  globalIndexes: [
    { name: 'byTenant', partitionKey: { name: 'tenantPk', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
  ],
});

/**
 * jobs: pk = tenant id, sk = `JOB#<jobId>` for a bulk job or import (job ids sort by creation, so a tenant's
 * jobs read newest first) and `CHUNK#<jobId>#<index>` for its work, 25 items a chunk; pk = `ACTIVE`, sk =
 * `<jobId>` lists the jobs the worker still has to run, for every tenant; pk = `PACE#<category>`, sk = `next`,
 * holds the moment the whole account's next Cognito call of that category may be made (the shared pace: one
 * item per category, kept). Every other item expires by TTL.
 */
export const JOBS_TABLE = keyedTable({
  name: 'jobs',
  envVar: 'JOBS_TABLE',
  timeToLiveAttribute: 'expiresAt',
});

/**
 * tenants: the tenant registry. pk = `TENANT#<id>`, sk = `TENANT` and pk = `ISSUER#<issuer>`, sk = `ISSUER`,
 * each holding the whole record, so a request finds its tenant by the token's issuer in one read.
 */
export const TENANTS_TABLE = keyedTable({ name: 'tenants', envVar: 'TENANTS_TABLE' });

export const TABLES: readonly TableDefinition[] = [PROFILES_TABLE, HISTORY_TABLE, TENANTS_TABLE, JOBS_TABLE];
