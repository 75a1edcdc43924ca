// The tenant registry: one read per id or issuer per cache period, misses asked again soon, records written
// under id and issuer together, and a retired tenant kept retired by a redeploy.
import {
  DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoTenantRegistry } from '#adapters/dynamo-tenant-registry.ts';
import type { TenantRecord } from '#domain/tenant.ts';
import { ACME } from '#test/unit/fixtures.ts';

const client = new DynamoDBClient({ region: 'eu-west-1' });
const table = mockClient(client);
let now = 0;
const registry = () =>
  new DynamoTenantRegistry({ client, tableName: 'tenants', cacheSeconds: 30, now: () => now });
const stored = (record: TenantRecord) => ({ Item: { record: { S: JSON.stringify(record) } } });
const reads = () => table.commandCalls(GetItemCommand).length;

beforeEach(() => {
  table.reset();
  now = 1_000_000;
});

describe('reads', () => {
  it('reads a tenant once per cache period, by id or by issuer, and shapes it flat', async () => {
    table.on(GetItemCommand).resolves(stored(ACME));
    const tenants = registry();
    const byIssuer = await tenants.byIssuer(ACME.issuer);
    expect(byIssuer).toMatchObject({ id: 'acme', teams: ['north', 'south'], licenceRequired: false });
    expect(byIssuer).not.toHaveProperty('organisation');
    await tenants.byIssuer(ACME.issuer);
    now += 29_000;
    await tenants.byIssuer(ACME.issuer);
    expect(reads()).toBe(1);
    expect(table).toHaveReceivedCommandWith(GetItemCommand, {
      Key: { pk: { S: `ISSUER#${ACME.issuer}` }, sk: { S: 'ISSUER' } },
      ConsistentRead: true,
    });
    now += 2_000;
    await tenants.byIssuer(ACME.issuer);
    expect(reads()).toBe(2);
    // Both items hold the whole record: the read by issuer answers by id too, until it expires.
    await tenants.byId('acme');
    expect(reads()).toBe(2);
    now += 31_000;
    await tenants.byId('acme');
    expect(reads()).toBe(3);
  });

  it('asks again after two seconds about an id it did not find: a tenant just added is found', async () => {
    table.on(GetItemCommand).resolves({});
    const tenants = registry();
    expect(await tenants.byId('newco')).toBeUndefined();
    now += 1_000;
    expect(await tenants.byId('newco')).toBeUndefined();
    expect(reads()).toBe(1);
    now += 1_500;
    table.on(GetItemCommand).resolves(stored({ ...ACME, id: 'newco' }));
    expect(await tenants.byId('newco')).toMatchObject({ id: 'newco' });
  });

  it('does not keep a failed read: the next request asks again', async () => {
    table.on(GetItemCommand).rejectsOnce(new Error('throttled')).resolves(stored(ACME));
    const tenants = registry();
    await expect(tenants.byId('acme')).rejects.toThrow('throttled');
    expect(await tenants.byId('acme')).toMatchObject({ id: 'acme' });
  });
});

describe('writes', () => {
  const items = () =>
    (table.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input as TransactWriteItemsCommandInput)
      .TransactItems ?? [];

  it('writes the record under its id and its issuer in one transaction', async () => {
    table.on(GetItemCommand).resolves({});
    table.on(TransactWriteItemsCommand).resolves({});
    await registry().put(ACME);
    expect(items().map((i) => i.Put?.Item?.pk?.S)).toEqual(['TENANT#acme', `ISSUER#${ACME.issuer}`]);
    expect(JSON.parse(items()[0]?.Put?.Item?.record?.S ?? '')).toEqual(ACME);
  });

  it('keeps a retired tenant retired when its stack deploys again, and removes an issuer it no longer has', async () => {
    table.on(GetItemCommand).resolves(stored({ ...ACME, status: 'retired' }));
    table.on(TransactWriteItemsCommand).resolves({});
    const moved = { ...ACME, issuer: `${ACME.issuer}2`, userPoolId: `${ACME.userPoolId}2` };
    expect(await registry().put(moved)).toMatchObject({ status: 'retired' });
    expect(
      items()
        .map((i) => i.Delete?.Key?.pk?.S)
        .filter(Boolean),
    ).toEqual([`ISSUER#${ACME.issuer}`]);
  });

  it('retires a tenant, keeping everything else of its record', async () => {
    table.on(GetItemCommand).resolves(stored(ACME));
    table.on(TransactWriteItemsCommand).resolves({});
    expect(await registry().retire('acme')).toMatchObject({ id: 'acme', status: 'retired' });
    expect(JSON.parse(items()[0]?.Put?.Item?.record?.S ?? '')).toEqual({ ...ACME, status: 'retired' });
  });

  it('refuses a record its schema refuses, writing nothing', async () => {
    table.on(GetItemCommand).resolves({});
    await expect(registry().put({ ...ACME, mailFrom: 'nobody' })).rejects.toThrow(/mailFrom/);
    expect(table).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });
});
