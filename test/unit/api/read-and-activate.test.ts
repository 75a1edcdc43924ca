import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
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
import {
  anAdmin,
  anEvent,
  aUser,
  changeItems,
  context,
  mockCatalogue,
  tokenOf,
} from '#test/unit/fixtures.ts';

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
    const [profile, history] = changeItems(
      dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [],
    );
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
  it('reads one page of the caller’s tenant’s name index, then only that page’s profiles', async () => {
    const other = aUser({ lastName: 'Zed' });
    const entry = (u: typeof target) => ({
      pk: 'acme#LIVE',
      sk: `${u.lastName.toLowerCase()}\u0001${u.firstName.toLowerCase()}\u0001${u.id}`,
      userId: u.id,
      nameKey: `${u.lastName.toLowerCase()}\u0001${u.firstName.toLowerCase()}\u0001${u.id}`,
      fv: {
        status: ['inactive'],
        role: [],
        licence: [],
        team: [],
        area: [],
        client: [],
        type: ['internal'],
        externalId: [],
      },
    });
    dynamo
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'acme#LIVE' } })
      .resolves({ Items: [entry(target), entry(other)] });
    dynamo.on(BatchGetCommand).resolves({
      Responses: { 'gatehouse-profiles': [{ pk: 'acme', sk: `USER#${target.id}`, ...target }] },
    });
    const first = await listUsers(
      anEvent({ method: 'GET', path: '/users', query: { limit: '1' }, token: tokenOf(admin) }),
      context,
    );
    expect(first.statusCode).toBe(200);
    const page = JSON.parse(first.body);
    expect(page.items.map((u: { id: string }) => u.id)).toEqual([target.id]);
    expect(page.next).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(dynamo).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: { 'gatehouse-profiles': { Keys: [{ pk: 'acme', sk: `USER#${target.id}` }] } },
    });

    dynamo.resetHistory();
    await listUsers(
      anEvent({ method: 'GET', path: '/users', query: { cursor: page.next }, token: tokenOf(admin) }),
      context,
    );
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      ExpressionAttributeValues: { ':pk': 'acme#LIVE' },
      ExclusiveStartKey: { pk: 'acme#LIVE', sk: entry(target).sk },
    });
  });

  it('refuses a cursor issued for another query', async () => {
    dynamo.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'acme#LIVE' } }).resolves({
      Items: [],
    });
    const forged = Buffer.from(JSON.stringify({ a: 'x', b: 'not-this-query' })).toString('base64url');
    const response = await listUsers(
      anEvent({ method: 'GET', path: '/users', query: { cursor: forged }, token: tokenOf(admin) }),
      context,
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors[0].field).toBe('query.cursor');
  });
});
