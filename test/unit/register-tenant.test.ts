// The tenant stacks' custom resource: writes the record on create and update, retires it on delete, and
// always answers CloudFormation, with the reason when it fails.
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '#jobs/register-tenant.ts';
import { testJwks } from '#test/support/tokens.ts';
import { GLOBEX } from '#test/unit/fixtures.ts';
import { registryTable } from '#test/unit/setup.ts';

function event(
  type: 'Create' | 'Update' | 'Delete',
  record: unknown,
  physicalId = 'tenant:globex',
): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:eu-west-1:1:function:writer',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/abc',
    StackId: 'arn:aws:cloudformation:eu-west-1:1:stack/Gatehouse-Tenant-globex/x',
    RequestId: 'req-1',
    LogicalResourceId: 'RegistryRecord',
    ResourceType: 'Custom::GatehouseTenant',
    ResourceProperties: { ServiceToken: 'x', Record: JSON.stringify(record) },
    ...(type === 'Create' ? {} : { PhysicalResourceId: physicalId }),
    ...(type === 'Update' ? { OldResourceProperties: {} } : {}),
  } as CloudFormationCustomResourceEvent;
}

const answers: { url: string; body: Record<string, unknown> }[] = [];
const respond = async (url: string, body: string) => {
  answers.push({ url, body: JSON.parse(body) });
};
const written = () =>
  registryTable
    .commandCalls(TransactWriteItemsCommand)
    .map((c) => JSON.parse(c.args[0].input.TransactItems?.[0]?.Put?.Item?.record?.S ?? '{}'));

beforeEach(() => {
  answers.length = 0;
  registryTable.resetHistory();
});

describe('registry record custom resource', () => {
  it('writes the record on create and answers SUCCESS with the tenant as physical id', async () => {
    await handler(event('Create', { ...GLOBEX, name: 'Globex Renamed' }), respond);
    expect(written()).toEqual([expect.objectContaining({ id: 'globex', name: 'Globex Renamed' })]);
    expect(answers).toEqual([
      {
        url: 'https://cloudformation-custom-resource-response.example/abc',
        body: expect.objectContaining({
          Status: 'SUCCESS',
          PhysicalResourceId: 'tenant:globex',
          RequestId: 'req-1',
          LogicalResourceId: 'RegistryRecord',
        }),
      },
    ]);
  });

  it('retires the tenant when its stack is deleted, writing the record retired', async () => {
    await handler(event('Delete', GLOBEX), respond);
    expect(written()).toEqual([expect.objectContaining({ id: 'globex', status: 'retired' })]);
    expect(answers[0]?.body.Status).toBe('SUCCESS');
  });

  it("writes the pool's signing keys into the record, so no function fetches them on its cold start", async () => {
    await handler(event('Create', GLOBEX), respond);
    expect(written()).toEqual([expect.objectContaining({ id: 'globex', jwks: testJwks })]);
  });

  it('registers the tenant without keys when they cannot be read: its functions then fetch them', async () => {
    const unreachable: Fetcher = {
      fetch: async () => {
        throw new Error('connect ETIMEDOUT');
      },
    };
    await handler(event('Create', { ...GLOBEX, jwks: testJwks }), respond, unreachable);
    expect(written()).toEqual([expect.not.objectContaining({ jwks: expect.anything() })]);
    expect(answers[0]?.body.Status).toBe('SUCCESS');
  });

  it('answers FAILED, naming the field, for a record its schema refuses, writing nothing', async () => {
    await handler(event('Update', { ...GLOBEX, mailFrom: 'nobody' }), respond);
    expect(written()).toEqual([]);
    expect(answers[0]?.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'tenant:globex' });
    expect(String(answers[0]?.body.Reason)).toMatch(/mailFrom/);
  });
});
