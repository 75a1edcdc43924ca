// `npm run tenants` against a deployment (CloudFormation, DynamoDB and Cognito answered by aws-sdk-client-mock, the
// cdk CLI by a recorder): an add deploys the tenant's own stack and the console's files, nothing else; a purge
// waits for the tenant's stack to be destroyed and its entry to leave the tenants file, then purges the tables the
// stateful stack names.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CognitoIdentityProviderClient,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { generatedTenants } from '#config/tenants.ts';
import { TenantPlatform } from '#lib/tenant-platform.ts';
import { ACME, RETIRED } from '#test/unit/fixtures.ts';

const cloudFormationClient = new CloudFormationClient({ region: 'us-east-1' });
const dynamoClient = new DynamoDBClient({ region: 'us-east-1' });
const cognitoClient = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const cloudFormation = mockClient(cloudFormationClient);
const dynamo = mockClient(dynamoClient);
const cognito = mockClient(cognitoClient);
const OUTPUTS = {
  tenantsTable: 'prod-tenants',
  profilesTable: 'prod-profiles',
  historyTable: 'prod-history',
  jobsTable: 'prod-jobs',
};
const stackMissing = Object.assign(new Error('Stack with id Gatehouse-Tenant-x does not exist'), {
  name: 'ValidationError',
});

let tenantsFile: string;
let cdkCalls: string[][];
let cdkStatus: number;
const platform = () =>
  new TenantPlatform(
    {
      cloudFormation: cloudFormationClient,
      dynamo: dynamoClient,
      cognito: cognitoClient,
      cdk: (args) => {
        cdkCalls.push(args);
        return cdkStatus;
      },
    },
    { tenantsFile, statefulStack: 'Gatehouse-Stateful' },
  );
const fileTenants = () =>
  (JSON.parse(readFileSync(tenantsFile, 'utf8')) as { tenants: { id: string }[] }).tenants;
const stored = (record: object) => ({ Item: { record: { S: JSON.stringify(record) } } });
const newTenant = (id: string) => ({ ...generatedTenants(1)[0], id, name: `New ${id}` });

beforeEach(() => {
  for (const mock of [cloudFormation, dynamo, cognito]) mock.reset();
  tenantsFile = join(mkdtempSync(join(tmpdir(), 'gatehouse-platform-')), 'tenants.json');
  writeFileSync(tenantsFile, JSON.stringify({ region: 'us-east-1', tenants: generatedTenants(2) }));
  cdkCalls = [];
  cdkStatus = 0;
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Gatehouse-Stateful' }).resolves({
    Stacks: [
      {
        StackName: 'Gatehouse-Stateful',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
});

describe('add', () => {
  it("appends the tenant to the tenants file and deploys its stack and the console's files alone", async () => {
    // What the tenant's custom resource writes during the deploy.
    dynamo.on(GetItemCommand).resolves(stored({ ...ACME, id: 'newco' }));
    const registered = await platform().add(newTenant('newco'));
    expect(fileTenants().map((t) => t.id)).toEqual(['t0001', 't0002', 'newco']);
    expect(cdkCalls).toEqual([
      [
        'deploy',
        'Gatehouse-Tenant-newco',
        'Gatehouse-ConsoleFiles',
        '--exclusively',
        '--require-approval',
        'never',
        '-c',
        `gatehouse:tenantsFile=${tenantsFile}`,
      ],
    ]);
    expect(registered).toMatchObject({ id: 'newco', status: 'active' });
    expect(dynamo).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'prod-tenants',
      Key: { pk: { S: 'TENANT#newco' }, sk: { S: 'TENANT' } },
      ConsistentRead: true,
    });
  });

  it('refuses an id the file holds already, and a tenant its schema refuses, writing and deploying nothing', async () => {
    const before = readFileSync(tenantsFile, 'utf8');
    await expect(platform().add(newTenant('t0002'))).rejects.toThrow(/t0002 is in .* already/);
    await expect(platform().add({ ...newTenant('bad'), mailFrom: 'not-an-email' })).rejects.toThrow(
      /mailFrom/,
    );
    expect(readFileSync(tenantsFile, 'utf8')).toBe(before);
    expect(cdkCalls).toEqual([]);
  });

  it('says so when the deploy fails, keeping the entry for the next deploy', async () => {
    cdkStatus = 1;
    await expect(platform().add(newTenant('newco'))).rejects.toThrow(/failed: newco stays in/);
    expect(fileTenants().map((t) => t.id)).toContain('newco');
  });
});

describe('purge', () => {
  it('refuses while the tenant is in the tenants file or its stack exists, deleting nothing', async () => {
    await expect(platform().purge('t0001')).rejects.toThrow(/still in .*: take it out/);
    cloudFormation.on(DescribeStacksCommand, { StackName: `Gatehouse-Tenant-${RETIRED.id}` }).resolves({
      Stacks: [{ StackName: 'x', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }],
    });
    await expect(platform().purge(RETIRED.id)).rejects.toThrow(/is UPDATE_COMPLETE: npx cdk destroy/);
    expect(cognito.calls()).toHaveLength(0);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('purges the tables the stateful stack names once the stack is gone', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: `Gatehouse-Tenant-${RETIRED.id}` })
      .rejects(stackMissing);
    dynamo.on(GetItemCommand).resolves(stored(RETIRED));
    dynamo.on(ScanCommand).resolves({ Items: [{ pk: { S: RETIRED.id }, sk: { S: 'USER#1' } }] });
    dynamo.on(BatchWriteItemCommand).resolves({});
    dynamo.on(TransactWriteItemsCommand).resolves({});
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: RETIRED.userPoolId } });
    const report = await platform().purge(RETIRED.id);
    expect(report).toMatchObject({ pool: 'deleted', items: 3 });
    expect(cognito).toHaveReceivedCommandWith(DeleteUserPoolCommand, { UserPoolId: RETIRED.userPoolId });
    const scanned = dynamo.commandCalls(ScanCommand).map((c) => c.args[0].input.TableName);
    expect(scanned.sort()).toEqual(['prod-history', 'prod-jobs', 'prod-profiles']);
    expect(dynamo).toHaveReceivedCommandWith(TransactWriteItemsCommand, {
      TransactItems: [
        {
          Delete: {
            TableName: 'prod-tenants',
            Key: { pk: { S: `TENANT#${RETIRED.id}` }, sk: { S: 'TENANT' } },
          },
        },
        {
          Delete: {
            TableName: 'prod-tenants',
            Key: { pk: { S: `ISSUER#${RETIRED.issuer}` }, sk: { S: 'ISSUER' } },
          },
        },
      ],
    });
  });
});
