import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as activateUser } from '#api/handlers/activate-user.ts';
import { handler as getUser } from '#api/handlers/get-user.ts';
import { handler as listUsers } from '#api/handlers/list-users.ts';
import { anAdmin, anEvent, aUser, context, mockCatalogue, tokenOf } from '#test/unit/fixtures.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const admin = anAdmin();
const target = aUser();

beforeEach(() => {
  dynamo.reset();
  cognito.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${admin.id}` } }).resolves({ Item: admin });
  dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${target.id}` } }).resolves({ Item: target });
  cognito
    .on(AdminCreateUserCommand)
    .resolves({ User: { Attributes: [{ Name: 'sub', Value: 'target-sub' }] } });
  mockCatalogue(dynamo);
});

const byId =
  (handler: typeof getUser, method: string, suffix = '') =>
  (userId: string) =>
    handler(
      anEvent({
        method,
        path: `/users/${userId}${suffix}`,
        pathParameters: { userId },
        token: tokenOf(admin),
      }),
      context,
    );

describe('GET /users/{userId}', () => {
  it('answers the user with its version as ETag', async () => {
    const response = await byId(getUser, 'GET')(target.id);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"1"');
    expect(JSON.parse(response.body)).toMatchObject({ id: target.id, email: target.email });
  });

  it('answers 404 problem+json for an unknown id, reading only within the caller’s tenant', async () => {
    const unknown = '7d6f4b8e-2a1c-4e3b-9f0a-1b2c3d4e5f60';
    const response = await byId(getUser, 'GET')(unknown);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({
      type: 'https://gatehouse.dev/problems/user-not-found',
      title: 'Not found',
      status: 404,
      detail: 'No such user.',
    });
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'acme', sk: `USER#${unknown}` } });
  });
});

describe('POST /users/{userId}/activate', () => {
  it('creates the Cognito login and records invited with its history in one transaction', async () => {
    const response = await byId(activateUser, 'POST', '/activate')(target.id);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'invited', version: 2 });
    expect(cognito).toHaveReceivedCommandTimes(AdminCreateUserCommand, 1);
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const [profile, history] =
      dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(profile?.Put).toMatchObject({
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 1 },
      Item: { status: 'invited', cognitoSub: 'target-sub', version: 2 },
    });
    expect(history?.Put?.Item).toMatchObject({
      action: 'user.activated',
      changes: { status: { before: 'inactive', after: 'invited' } },
    });
    expect(JSON.stringify(history?.Put?.Item)).not.toContain('target-sub');
  });

  it('answers 412 and removes the new login when the user changed meanwhile', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    const response = await byId(activateUser, 'POST', '/activate')(target.id);
    expect(response.statusCode).toBe(412);
    expect(cognito.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'AdminCreateUserCommand',
      'AdminDeleteUserCommand',
    ]);
  });

  it('answers 409 naming the status for a user who is not inactive, and calls Cognito not at all', async () => {
    const active = aUser({ status: 'active', cognitoSub: 'x' });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${active.id}` } }).resolves({ Item: active });
    const response = await byId(activateUser, 'POST', '/activate')(active.id);
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).detail).toBe('Cannot activate a user whose status is active.');
    expect(cognito.calls()).toHaveLength(0);
  });
});

describe('GET /users', () => {
  it('queries only the caller’s tenant partition and hands back an opaque cursor', async () => {
    dynamo
      .on(QueryCommand)
      .resolves({ Items: [target], LastEvaluatedKey: { pk: 'acme', sk: `USER#${target.id}` } });
    const first = await listUsers(
      anEvent({ method: 'GET', path: '/users', query: { limit: '1' }, token: tokenOf(admin) }),
      context,
    );
    expect(first.statusCode).toBe(200);
    const page = JSON.parse(first.body);
    expect(page.items).toHaveLength(1);
    expect(page.next).toMatch(/^[\w-]+$/);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :user)',
      FilterExpression: '#status <> :archived',
      ExpressionAttributeValues: { ':tenant': 'acme', ':user': 'USER#', ':archived': 'archived' },
      Limit: 1,
    });

    await listUsers(
      anEvent({ method: 'GET', path: '/users', query: { cursor: page.next }, token: tokenOf(admin) }),
      context,
    );
    expect(dynamo).toHaveReceivedNthCommandWith(QueryCommand, 2, {
      ExclusiveStartKey: { pk: 'acme', sk: `USER#${target.id}` },
      Limit: 25,
    });
  });
});
