// Purging a tenant: only a retired one; its pool, then its data, then its record, so a purge that stops half-way
// is finished by running it again; and on AWS, the calls Cognito and DynamoDB require.
import {
  CognitoIdentityProviderClient,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { BatchWriteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CognitoPoolRemover } from '#adapters/cognito-pool-remover.ts';
import { DynamoTenantSweeper } from '#adapters/dynamo-tenant-sweeper.ts';
import { toTenant } from '#domain/tenant.ts';
import { type PurgePorts, PurgeRefused, purgeTenant } from '#services/purge-tenant.ts';
import { ACME } from '#test/unit/fixtures.ts';

/** Ports that record the order of the steps; `failAt` makes one step fail once, as a crash half-way would. */
function fakePorts(status: 'active' | 'retired' | undefined, failAt?: 'pool' | 'data' | 'registry') {
  const steps: string[] = [];
  let record = status ? toTenant({ ...ACME, status }) : undefined;
  let failing = failAt;
  const step = (name: 'pool' | 'data' | 'registry') => {
    steps.push(name);
    if (failing === name) {
      failing = undefined;
      throw new Error(`${name} failed`);
    }
  };
  const ports: PurgePorts = {
    registry: {
      byId: async () => record,
      remove: async () => {
        step('registry');
        record = undefined;
        return true;
      },
    },
    pools: {
      remove: async () => {
        step('pool');
        return 'deleted';
      },
    },
    data: {
      sweep: async () => {
        step('data');
        return 7;
      },
    },
  };
  return { ports, steps, record: () => record };
}

describe('purgeTenant', () => {
  it('deletes the pool, then the data, then the record, of a retired tenant', async () => {
    const { ports, steps, record } = fakePorts('retired');
    const report = await purgeTenant(ports, ACME.id);
    expect(steps).toEqual(['pool', 'data', 'registry']);
    expect(report).toEqual({
      tenant: { id: ACME.id, name: ACME.name, userPoolId: ACME.userPoolId },
      pool: 'deleted',
      items: 7,
    });
    expect(record()).toBeUndefined();
  });

  it('refuses an active tenant, and an unknown one, doing nothing', async () => {
    for (const status of ['active', undefined] as const) {
      const { ports, steps } = fakePorts(status);
      const refused = await purgeTenant(ports, ACME.id).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PurgeRefused);
      expect((refused as PurgeRefused).reason).toBe(status ? 'not-retired' : 'unknown');
      expect(steps).toEqual([]);
    }
  });

  it('keeps the record when a step fails, so running it again finishes the job', async () => {
    for (const failAt of ['pool', 'data', 'registry'] as const) {
      const { ports, steps, record } = fakePorts('retired', failAt);
      await expect(purgeTenant(ports, ACME.id)).rejects.toThrow(`${failAt} failed`);
      expect(record()?.status).toBe('retired');
      await purgeTenant(ports, ACME.id);
      expect(record()).toBeUndefined();
      expect(steps.slice(-3)).toEqual(['pool', 'data', 'registry']);
    }
  });
});

describe('CognitoPoolRemover', () => {
  const client = new CognitoIdentityProviderClient({ region: 'eu-west-1' });
  const cognito = mockClient(client);
  const remover = new CognitoPoolRemover({ client });
  const notFound = Object.assign(new Error('User pool does not exist'), {
    name: 'ResourceNotFoundException',
  });
  beforeEach(() => cognito.reset());

  it('deletes the domain, lifts deletion protection keeping the MFA setting, then deletes the pool', async () => {
    cognito.on(DescribeUserPoolCommand).resolves({
      UserPool: {
        Id: ACME.userPoolId,
        Domain: 'gatehouse-acme-1a2b3c4d',
        DeletionProtection: 'ACTIVE',
        MfaConfiguration: 'ON',
      },
    });
    expect(await remover.remove(ACME.userPoolId)).toBe('deleted');
    expect(cognito).toHaveReceivedCommandWith(DeleteUserPoolDomainCommand, {
      UserPoolId: ACME.userPoolId,
      Domain: 'gatehouse-acme-1a2b3c4d',
    });
    expect(cognito).toHaveReceivedCommandWith(UpdateUserPoolCommand, {
      UserPoolId: ACME.userPoolId,
      DeletionProtection: 'INACTIVE',
      MfaConfiguration: 'ON',
    });
    expect(cognito).toHaveReceivedCommandWith(DeleteUserPoolCommand, { UserPoolId: ACME.userPoolId });
    const order = cognito.calls().map((c) => c.args[0].constructor.name);
    expect(order).toEqual([
      'DescribeUserPoolCommand',
      'DeleteUserPoolDomainCommand',
      'UpdateUserPoolCommand',
      'DeleteUserPoolCommand',
    ]);
  });

  it('answers absent for a pool that is gone already, deleting nothing', async () => {
    cognito.on(DescribeUserPoolCommand).rejects(notFound);
    expect(await remover.remove(ACME.userPoolId)).toBe('absent');
    expect(cognito).not.toHaveReceivedCommand(DeleteUserPoolCommand);
  });
});

describe('DynamoTenantSweeper', () => {
  const client = new DynamoDBClient({ region: 'eu-west-1' });
  const dynamo = mockClient(client);
  const key = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });
  beforeEach(() => dynamo.reset());

  it("scans each table for the tenant's keys and the items naming it, deleting them 25 at a time", async () => {
    const items = Array.from({ length: 30 }, (_, i) => key('acme', `USER#${i}`));
    dynamo
      .on(ScanCommand, { TableName: 'profiles' })
      .resolvesOnce({ Items: items.slice(0, 27), LastEvaluatedKey: key('acme', 'USER#26') })
      .resolvesOnce({ Items: items.slice(27) });
    dynamo.on(ScanCommand, { TableName: 'history' }).resolves({ Items: [key('acme#u1', '2026')] });
    dynamo.on(BatchWriteItemCommand).resolves({});
    const sweeper = new DynamoTenantSweeper({
      client,
      tables: [
        { tableName: 'profiles', partitionKey: 'pk', sortKey: 'sk' },
        { tableName: 'history', partitionKey: 'pk', sortKey: 'sk' },
      ],
    });
    expect(await sweeper.sweep('acme')).toBe(31);
    expect(dynamo).toHaveReceivedCommandWith(ScanCommand, {
      TableName: 'history',
      FilterExpression: '#pk = :id OR begins_with(#pk, :prefix) OR #tenant = :id',
      ExpressionAttributeValues: { ':id': { S: 'acme' }, ':prefix': { S: 'acme#' } },
    });
    const batches = dynamo
      .commandCalls(BatchWriteItemCommand)
      .map((c) => Object.values(c.args[0].input.RequestItems ?? {})[0]?.length);
    expect(batches).toEqual([25, 2, 3, 1]);
  });

  it('retries the deletes DynamoDB left unprocessed', async () => {
    dynamo.on(ScanCommand).resolves({ Items: [key('acme', 'A'), key('acme', 'B')] });
    dynamo
      .on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { profiles: [{ DeleteRequest: { Key: key('acme', 'B') } }] } })
      .resolves({});
    const sweeper = new DynamoTenantSweeper({
      client,
      tables: [{ tableName: 'profiles', partitionKey: 'pk', sortKey: 'sk' }],
      sleep: async () => {},
    });
    expect(await sweeper.sweep('acme')).toBe(2);
    expect(dynamo).toHaveReceivedCommandTimes(BatchWriteItemCommand, 2);
    expect(dynamo).toHaveReceivedNthCommandWith(BatchWriteItemCommand, 2, {
      RequestItems: { profiles: [{ DeleteRequest: { Key: key('acme', 'B') } }] },
    });
  });
});
