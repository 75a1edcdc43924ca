import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableProviderForUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as archiveUser } from '#api/handlers/archive-user.ts';
import { handler as deactivateUser } from '#api/handlers/deactivate-user.ts';
import { handler as deleteUser } from '#api/handlers/delete-user.ts';
import { handler as editUser } from '#api/handlers/edit-user.ts';
import { handler as resetPassword } from '#api/handlers/reset-password.ts';
import { handler as setPassword } from '#api/handlers/set-password.ts';
import type { User } from '#domain/user.ts';
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

function stored(user: User) {
  dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${user.id}` } }).resolves({ Item: user });
}
function adminsCount(n: number) {
  dynamo.on(GetCommand, { Key: { pk: 'acme', sk: 'COUNT#ACTIVE_ADMINS' } }).resolves({ Item: { n } });
}
const call = (
  handler: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>,
  method: string,
  user: User,
  suffix = '',
  extra: { body?: unknown; headers?: Record<string, string> } = {},
) =>
  handler(
    anEvent({
      method,
      path: `/users/${user.id}${suffix}`,
      resource: `/users/{userId}${suffix}`,
      pathParameters: { userId: user.id },
      token: tokenOf(admin),
      ...extra,
    }),
    context,
  );
const cognitoCalls = () => cognito.calls().map((c) => c.args[0].constructor.name);
const transactItems = () =>
  changeItems(dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? []);

beforeEach(() => {
  dynamo.reset();
  cognito.reset();
  dynamo.on(GetCommand).resolves({});
  stored(admin);
  mockCatalogue(dynamo);
});

describe('deactivate', () => {
  it('disables the login and signs it out, by sub, before the profile says inactive', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-1' });
    stored(user);
    const response = await call(deactivateUser, 'POST', user, '/deactivate');
    expect(response.statusCode).toBe(200);
    expect(cognitoCalls()).toEqual(['AdminDisableUserCommand', 'AdminUserGlobalSignOutCommand']);
    expect(cognito).toHaveReceivedCommandWith(AdminDisableUserCommand, {
      UserPoolId: 'us-east-1_AcmeUnit1',
      Username: 'sub-1',
    });
    expect(cognito).toHaveReceivedCommandWith(AdminUserGlobalSignOutCommand, { Username: 'sub-1' });
    expect(transactItems()[0]?.Put?.Item).toMatchObject({ status: 'inactive', version: 2 });
  });

  it('refuses the last active administrator before touching Cognito', async () => {
    const other = anAdmin();
    stored(other);
    adminsCount(1);
    const response = await call(deactivateUser, 'POST', other, '/deactivate');
    expect(response.statusCode).toBe(409);
    expect(cognito.calls()).toHaveLength(0);
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('enables the login again when the count refuses it under a race', async () => {
    const other = anAdmin();
    stored(other);
    adminsCount(2);
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    const response = await call(deactivateUser, 'POST', other, '/deactivate');
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).title).toBe('Last administrator');
    expect(cognitoCalls()).toEqual([
      'AdminDisableUserCommand',
      'AdminUserGlobalSignOutCommand',
      'AdminEnableUserCommand',
    ]);
    expect(cognito).toHaveReceivedCommandWith(AdminEnableUserCommand, { Username: other.cognitoSub });
  });
});

describe('archive', () => {
  it('touches no login for a user who has none', async () => {
    const user = aUser();
    stored(user);
    expect((await call(archiveUser, 'POST', user, '/archive')).statusCode).toBe(200);
    expect(cognito.calls()).toHaveLength(0);
    expect(transactItems()[0]?.Put?.Item).toMatchObject({ status: 'archived' });
  });
});

describe('delete', () => {
  it('removes profile and email claim with a final snapshot in one transaction, then the login', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-2', title: 'Welder' });
    stored(user);
    const response = await call(deleteUser, 'DELETE', user, '', {
      body: { confirmEmail: user.email.toUpperCase() },
    });
    expect(response.statusCode).toBe(204);
    const [profile, claim, history] = transactItems();
    expect(profile?.Delete?.Key).toEqual({ pk: 'acme', sk: `USER#${user.id}` });
    expect(claim?.Delete?.Key).toEqual({ pk: 'acme', sk: `EMAIL#${user.email}` });
    expect(history?.Put?.Item).toMatchObject({
      action: 'user.deleted',
      changes: { title: { before: 'Welder' } },
    });
    expect(JSON.stringify(history?.Put?.Item)).not.toContain('sub-2');
    expect(cognito).toHaveReceivedCommandWith(AdminDeleteUserCommand, { Username: 'sub-2' });
  });

  it('removes the links of the login to identity-provider accounts before the login', async () => {
    const linkedAt = '2026-01-02T00:00:00.000Z';
    const user = aUser({
      status: 'active',
      cognitoSub: 'sub-9',
      identities: [{ provider: 'AcmeID', subject: 'idp-sub-9', linkedAt }],
    });
    stored(user);
    const response = await call(deleteUser, 'DELETE', user, '', { body: { confirmEmail: user.email } });
    expect(response.statusCode).toBe(204);
    expect(cognito).toHaveReceivedCommandWith(AdminDisableProviderForUserCommand, {
      UserPoolId: 'us-east-1_AcmeUnit1',
      User: {
        ProviderName: 'AcmeID',
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: 'idp-sub-9',
      },
    });
    const order = cognito.calls().map((c) => c.args[0].constructor.name);
    expect(order).toEqual(['AdminDisableProviderForUserCommand', 'AdminDeleteUserCommand']);
  });
});

describe('edit', () => {
  it('changes the sign-in email in Cognito, then moves the email claim with the profile', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-3' });
    stored(user);
    const response = await call(editUser, 'PATCH', user, '', {
      body: { email: 'New@Example.com' },
      headers: { 'If-Match': '"1"' },
    });
    expect(response.statusCode).toBe(200);
    expect(cognito).toHaveReceivedCommandWith(AdminUpdateUserAttributesCommand, {
      Username: 'sub-3',
      UserAttributes: [
        { Name: 'email', Value: 'new@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    const [profile, claim, release] = transactItems();
    expect(profile?.Put?.ConditionExpression).toBe('version = :expected');
    expect(claim?.Put?.Item).toEqual({ pk: 'acme', sk: 'EMAIL#new@example.com', userId: user.id });
    expect(release?.Delete?.Key).toEqual({ pk: 'acme', sk: `EMAIL#${user.email}` });
  });

  it('answers 412 for a stale If-Match without calling Cognito or writing', async () => {
    const user = aUser({ version: 4, cognitoSub: 'sub-4' });
    stored(user);
    const response = await call(editUser, 'PATCH', user, '', {
      body: { email: 'x@example.com' },
      headers: { 'If-Match': '"3"' },
    });
    expect(response.statusCode).toBe(412);
    expect(cognito.calls()).toHaveLength(0);
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
  });
});

describe('passwords', () => {
  it('re-sends the invitation to an invited user and resets an active one, recording only that it happened', async () => {
    const invited = aUser({ status: 'invited', cognitoSub: 'sub-5' });
    const active = aUser({ status: 'active', cognitoSub: 'sub-6' });
    stored(invited);
    stored(active);
    expect((await call(resetPassword, 'POST', invited, '/reset-password')).statusCode).toBe(202);
    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, {
      Username: 'sub-5',
      MessageAction: 'RESEND',
    });
    expect((await call(resetPassword, 'POST', active, '/reset-password')).statusCode).toBe(202);
    expect(cognito).toHaveReceivedCommandWith(AdminResetUserPasswordCommand, { Username: 'sub-6' });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ action: 'user.password.reset', changes: {} }),
    });
  });

  it('sets a conforming password permanent unless asked otherwise, and never writes it down', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-7' });
    stored(user);
    const password = 'Admin-Chosen-Pw-1';
    const response = await call(setPassword, 'PUT', user, '/password', {
      body: { password, confirmPassword: password },
    });
    expect(response.statusCode).toBe(204);
    expect(cognito).toHaveReceivedCommandWith(AdminSetUserPasswordCommand, {
      Username: 'sub-7',
      Password: password,
      Permanent: true,
    });
    expect(JSON.stringify(dynamo.calls().map((c) => c.args[0].input))).not.toContain(password);
  });
});

describe('idempotency keys', () => {
  it('takes the key before the work and completes it inside the change’s own transaction', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-8' });
    stored(user);
    const response = await call(deactivateUser, 'POST', user, '/deactivate', {
      headers: { 'Idempotency-Key': 'k-1' },
    });
    expect(response.statusCode).toBe(200);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ pk: 'acme', sk: `IDEMPOTENCY#${admin.id}#k-1`, state: 'started' }),
    });
    const completion = transactItems().at(-1)?.Update;
    expect(completion?.Key).toEqual({ pk: 'acme', sk: `IDEMPOTENCY#${admin.id}#k-1` });
    expect(completion?.ExpressionAttributeValues?.[':result']).toMatchObject({
      id: user.id,
      status: 'inactive',
    });
  });

  it('answers a completed key from its stored result without doing anything', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-9' });
    stored(user);
    const send = () =>
      call(deactivateUser, 'POST', user, '/deactivate', { headers: { 'Idempotency-Key': 'k-2' } });
    const first = await send();
    const { fingerprint } = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
    const result = transactItems().at(-1)?.Update?.ExpressionAttributeValues?.[':result'];

    // The key is now taken and completed, as the first attempt's transaction left it: the refused put returns it.
    dynamo.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'taken',
        $metadata: {},
        Item: marshall({ state: 'completed', fingerprint, result }, { removeUndefinedValues: true }),
      }),
    );
    cognito.reset();
    dynamo.resetHistory();
    const replay = await send();

    expect(replay.statusCode).toBe(200);
    expect(replay.body).toBe(first.body);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(cognito.calls()).toHaveLength(0);
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
  });

  it('tries the key again when the record that blocked it is gone, rather than calling the retry a reuse', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-10' });
    stored(user);
    // The first attempt released the key (or it expired) between the refused put and anything read after it.
    dynamo
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'taken', $metadata: {} }))
      .resolves({});
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `IDEMPOTENCY#${admin.id}#k-3` } }).resolves({});
    const response = await call(deactivateUser, 'POST', user, '/deactivate', {
      headers: { 'Idempotency-Key': 'k-3' },
    });
    expect(response.statusCode).toBe(200);
    expect(dynamo).toHaveReceivedCommandTimes(PutCommand, 2);
  });
});
