// Unit tests: the functions' environment of a deployed stack, with JWKS answered from the test key and the
// tenant registry's reads answered from the unit tenants' records.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { testJwks } from '#test/support/tokens.ts';
import { UNIT_TENANTS } from '#test/unit/fixtures.ts';

// In a whole `npm test`, the integration project's setup exports the offline backend's environment into the
// process these workers inherit: a unit test models a deployed function, whose SDK calls AWS (mocked here).
for (const name of Object.keys(process.env)) {
  if (name.startsWith('AWS_ENDPOINT_URL') || name === 'TENANT_CACHE_SECONDS') delete process.env[name];
}

Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'unit',
  AWS_SECRET_ACCESS_KEY: 'unit',
  PROFILES_TABLE: 'gatehouse-profiles',
  HISTORY_TABLE: 'gatehouse-history',
  TENANTS_TABLE: 'gatehouse-tenants',
  JOBS_TABLE: 'gatehouse-jobs',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  CONSOLE_ORIGIN: 'https://console.example.com',
  CURSOR_KEYS_FILE: cursorKeysFile(),
});

/** The page cursors' keys, new for every run, as the offline runtime writes them. */
function cursorKeysFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-unit-')), 'cursor-keys.json');
  writeFileSync(path, JSON.stringify({ current: randomBytes(32).toString('base64url') }));
  return path;
}

const realFetch = globalThis.fetch;
vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
  const url = String(input instanceof Request ? input.url : input);
  if (UNIT_TENANTS.some((t) => url === `${t.issuer}/.well-known/jwks.json`)) {
    return new Response(JSON.stringify(testJwks), { headers: { 'content-type': 'application/json' } });
  }
  return realFetch(input, init);
});

/** The registry's table, as the tenants' stacks would have written it: one item per id and one per issuer. */
export const registryTable = mockClient(DynamoDBClient);
registryTable.on(GetItemCommand).callsFake((input: { TableName?: string; Key?: { pk?: { S?: string } } }) => {
  const pk = input.Key?.pk?.S ?? '';
  const record = UNIT_TENANTS.find((t) => pk === `TENANT#${t.id}` || pk === `ISSUER#${t.issuer}`);
  if (input.TableName !== 'gatehouse-tenants' || !record) return {};
  return { Item: { pk: { S: pk }, record: { S: JSON.stringify(record) } } };
});
