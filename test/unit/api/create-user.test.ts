import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '#api/handlers/create-user.ts';
import { anAdmin, anEvent, changeItems, context, mockCatalogue, tokenOf } from '#test/unit/fixtures.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const admin = anAdmin();
const profile = { firstName: 'Ada', lastName: 'Lovelace', email: 'Ada@Example.com' };

const post = (body: unknown) =>
  handler(anEvent({ method: 'POST', path: '/users', body, token: tokenOf(admin) }), context);

beforeEach(() => {
  dynamo.reset();
  cognito.reset();
  dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${admin.id}` } }).resolves({ Item: admin });
  cognito.on(AdminCreateUserCommand).resolves({ User: { Attributes: [{ Name: 'sub', Value: 'new-sub' }] } });
  mockCatalogue(dynamo);
});

describe('POST /users', () => {
  it('reads the caller once and writes profile, email claim and history in one transaction', async () => {
    const response = await post(profile);

    expect(response.statusCode).toBe(201);
    const user = JSON.parse(response.body);
    expect(user).toMatchObject({ status: 'inactive', email: 'ada@example.com', version: 1 });
    expect(user).not.toHaveProperty('cognitoSub');
    expect(dynamo).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, {
      ConsistentRead: true,
      TableName: 'gatehouse-profiles',
    });
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const items = changeItems(
      dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [],
    );
    expect(
      items.map((i) => [i.Put?.TableName, i.Put?.Item?.pk, String(i.Put?.Item?.sk).split('#')[0]]),
    ).toEqual([
      ['gatehouse-profiles', 'acme', 'USER'],
      ['gatehouse-profiles', 'acme', 'EMAIL'],
      ['gatehouse-history', `acme#${user.id}`, expect.any(String)],
    ]);
    expect(items[2]?.Put?.Item).toMatchObject({
      action: 'user.created',
      actor: { id: admin.id, name: 'Grace Hopper' },
      changes: { email: { after: 'ada@example.com' }, status: { after: 'inactive' } },
    });
    expect(cognito).not.toHaveReceivedAnyCommand();
  });

  it('with "activate": true makes one AdminCreateUser and one transaction, nothing else', async () => {
    const response = await post({ ...profile, activate: true });

    expect(response.statusCode).toBe(201);
    const user = JSON.parse(response.body);
    expect(user).toMatchObject({ status: 'invited', version: 1 });
    expect(cognito).toHaveReceivedCommandTimes(AdminCreateUserCommand, 1);
    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, {
      UserPoolId: 'us-east-1_AcmeUnit1',
      Username: 'ada@example.com',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: 'ada@example.com' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenantId', Value: 'acme' },
        { Name: 'custom:userId', Value: user.id },
      ],
    });
    expect(cognito.calls()).toHaveLength(1);
    expect(dynamo.calls()).toHaveLength(2); // the caller's authorisation read and the transaction
    const items = changeItems(
      dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [],
    );
    expect(items[0]?.Put?.Item).toMatchObject({ status: 'invited', cognitoSub: 'new-sub' });
  });

  it('answers 409 for an email already claimed, and removes the login it had just created', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    const response = await post({ ...profile, activate: true });

    expect(response.statusCode).toBe(409);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(cognito).toHaveReceivedCommandWith(AdminDeleteUserCommand, {
      UserPoolId: 'us-east-1_AcmeUnit1',
      Username: 'new-sub',
    });
  });

  it('keeps the login when the write failed for a reason that may have taken effect', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('socket hang up'));
    const response = await post({ ...profile, activate: true });

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).not.toHaveProperty('stack');
    expect(JSON.parse(response.body).detail).not.toContain('socket');
    expect(cognito).not.toHaveReceivedCommand(AdminDeleteUserCommand);
  });

  it('sends nothing to Cognito or DynamoDB beyond the authorisation read for bad input', async () => {
    const response = await post({ ...profile, email: 'nope', favouriteColour: 'blue' });

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual([
      { field: 'body.email', message: expect.any(String) },
      { field: 'body.favouriteColour', message: 'is not a known field' },
    ]);
    expect(dynamo.calls()).toHaveLength(1);
    expect(cognito.calls()).toHaveLength(0);
  });
});
