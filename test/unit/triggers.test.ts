import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  CustomMessageTriggerEvent,
  PostAuthenticationTriggerEvent,
  PreAuthenticationTriggerEvent,
  PreTokenGenerationTriggerEvent,
} from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '#domain/user.ts';
import { aUser, changeItems, context, mockCatalogue, UNIT_TENANTS } from '#test/unit/fixtures.ts';
import { handler as customMessage } from '#triggers/custom-message.ts';
import { handler as postAuthentication } from '#triggers/post-authentication.ts';
import { handler as preAuthentication } from '#triggers/pre-authentication.ts';
import { handler as preTokenGeneration } from '#triggers/pre-token-generation.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const MANAGED_LOGIN =
  'https://acme-login.auth.us-east-1.amazoncognito.com/login?client_id=acmeclient&response_type=code&redirect_uri=https%3A%2F%2Fadmin.acme.example.com%2Fcallback';

/** A sign-in to the pool of `tenantId` (registered or not), whose login claims `claimed`. */
function signInEvent(user: User, tenantId = 'acme', claimed = tenantId): PostAuthenticationTriggerEvent {
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: UNIT_TENANTS.find((t) => t.id === tenantId)?.userPoolId ?? 'us-east-1_Unregistered1',
    userName: user.cognitoSub ?? 'x',
    callerContext: { awsSdkVersion: '1', clientId: 'acmeclient' },
    triggerSource: 'PostAuthentication_Authentication',
    request: {
      newDeviceUsed: false,
      userAttributes: {
        sub: user.cognitoSub ?? '',
        email: user.email,
        'custom:userId': user.id,
        'custom:tenantId': claimed,
      },
    },
    response: {},
  };
}

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
});

describe('post-authentication trigger', () => {
  it('makes an invited user active on the first sign-in, with a history entry in the same transaction', async () => {
    const invited = aUser({ status: 'invited', cognitoSub: 'sub-1' });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${invited.id}` } }).resolves({ Item: invited });
    await postAuthentication(signInEvent(invited), context);
    const [profile, history] = changeItems(
      dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [],
    );
    expect(profile?.Put?.Item).toMatchObject({ status: 'active', version: 2 });
    expect(profile?.Put?.Item?.registeredAt).toBe(profile?.Put?.Item?.lastLoginAt);
    expect(history?.Put?.Item).toMatchObject({ action: 'user.registered', actor: { id: 'system' } });
  });

  it('only moves lastLoginAt for an active user: no new version, no history', async () => {
    const active = aUser({ status: 'active', cognitoSub: 'sub-2' });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${active.id}` } }).resolves({ Item: active });
    await postAuthentication(signInEvent(active), context);
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, { UpdateExpression: 'SET lastLoginAt = :at' });
  });

  it('refuses, in words a person understands, a login whose profile is missing or not active', async () => {
    const gone = aUser({ status: 'active', cognitoSub: 'sub-3' });
    await expect(postAuthentication(signInEvent(gone), context)).rejects.toThrow(
      /contact your administrator/,
    );
    const archived = aUser({ status: 'archived', cognitoSub: 'sub-4' });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${archived.id}` } }).resolves({ Item: archived });
    await expect(postAuthentication(signInEvent(archived), context)).rejects.toThrow(
      /contact your administrator/,
    );
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('reads the user only within the tenant the login names, and needs the profile to know the login', async () => {
    const user = aUser({ status: 'invited', cognitoSub: 'sub-5' });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${user.id}` } }).resolves({ Item: user });
    await expect(postAuthentication(signInEvent(user, 'globex'), context)).rejects.toThrow(
      /contact your administrator/,
    );
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'globex', sk: `USER#${user.id}` } });
    const otherLogin = signInEvent({ ...user, cognitoSub: 'another-login' });
    await expect(postAuthentication(otherLogin, context)).rejects.toThrow(/contact your administrator/);
    await expect(postAuthentication(signInEvent(user, 'initech'), context)).rejects.toThrow(
      /no registered tenant/,
    );
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('refuses a login whose pool is not the registered pool of the tenant it claims, reading no profile', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-6' });
    await expect(postAuthentication(signInEvent(user, 'acme', 'globex'), context)).rejects.toThrow(
      /no registered tenant/,
    );
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });
});

describe('custom message trigger', () => {
  const event = (triggerSource: CustomMessageTriggerEvent['triggerSource']) =>
    ({
      version: '1',
      region: 'us-east-1',
      userPoolId: 'us-east-1_AcmeUnit1',
      userName: 'sub',
      callerContext: { awsSdkVersion: '1', clientId: 'CLIENT_ID_NOT_APPLICABLE' },
      triggerSource,
      request: {
        userAttributes: { email: 'ada@example.com', 'custom:tenantId': 'acme' },
        codeParameter: '{####}',
        usernameParameter: '{username}',
        linkParameter: '',
      },
      response: { smsMessage: '', emailMessage: '', emailSubject: '' },
    }) as CustomMessageTriggerEvent;

  it('words the welcome mail for the tenant, keeping both placeholders Cognito requires', async () => {
    const result = await customMessage(event('CustomMessage_AdminCreateUser'));
    expect(result.response.emailSubject).toBe('Welcome to Acme Field Services');
    expect(result.response.emailMessage).toContain('<b>ada@example.com</b>');
    expect(result.response.emailMessage).toContain('{username}');
    expect(result.response.emailMessage).toContain('{####}');
  });

  it('links the welcome mail to the managed login page of the pool’s app client and first callback URL', async () => {
    cognito.reset();
    cognito
      .on(DescribeUserPoolCommand)
      .resolves({ UserPool: { Id: 'us-east-1_AcmeUnit1', Domain: 'acme-login' } });
    cognito.on(ListUserPoolClientsCommand).resolves({ UserPoolClients: [{ ClientId: 'acmeclient' }] });
    cognito.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: {
        ClientId: 'acmeclient',
        CallbackURLs: ['https://admin.acme.example.com/callback', 'https://x.example.com/'],
      },
    });
    const first = await customMessage(event('CustomMessage_AdminCreateUser'));
    expect(first.response.emailMessage).toContain(`<a href="${MANAGED_LOGIN.replaceAll('&', '&#38;')}">`);
    const reset = await customMessage(event('CustomMessage_ForgotPassword'));
    expect(reset.response.emailMessage).toContain(MANAGED_LOGIN.replaceAll('&', '&#38;'));
    // Read once per instance.
    expect(cognito).toHaveReceivedCommandTimes(DescribeUserPoolCommand, 1);
  });

  it('links the mails to the tenant’s own application when it names one, and still sends them when Cognito fails', async () => {
    cognito.reset();
    cognito.onAnyCommand().rejects(new Error('throttled'));
    const globex = { ...event('CustomMessage_AdminCreateUser'), userPoolId: 'us-east-1_GlobexUnit1' };
    globex.request.userAttributes['custom:tenantId'] = 'globex';
    expect((await customMessage(globex)).response.emailMessage).toContain(
      '<a href="https://app.globex.example.com/sign-in">',
    );
    // A tenant with no sign-in link in its record, whose managed login page Cognito cannot tell now.
    const lost = { ...event('CustomMessage_AdminCreateUser'), userPoolId: 'us-east-1_UmbrellaUnit1' };
    lost.request.userAttributes['custom:tenantId'] = 'umbrella';
    const result = await customMessage(lost);
    expect(result.response.emailMessage).toContain('{####}');
    expect(result.response.emailMessage).not.toContain('<a href');
  });

  it('words the reset-code mail and leaves other messages to Cognito', async () => {
    expect((await customMessage(event('CustomMessage_ForgotPassword'))).response.emailMessage).toContain(
      '{####}',
    );
    expect((await customMessage(event('CustomMessage_UpdateUserAttribute'))).response.emailMessage).toBe('');
  });
});

describe('pre-authentication trigger', () => {
  const event = (user: User, tenantId = 'acme') =>
    ({
      ...signInEvent(user, tenantId),
      triggerSource: 'PreAuthentication_Authentication',
      request: { userAttributes: signInEvent(user, tenantId).request.userAttributes, validationData: {} },
    }) as unknown as PreAuthenticationTriggerEvent;

  it.each([
    ['inactive', 'Your account is deactivated. Please contact your administrator'],
    ['archived', 'Your account is archived. Please contact your administrator'],
  ] as const)('refuses a user who is %s, in words a person understands', async (status, words) => {
    const user = aUser({ status, cognitoSub: `sub-${status}` });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${user.id}` } }).resolves({ Item: user });
    await expect(preAuthentication(event(user))).rejects.toThrow(new Error(words));
  });

  it('refuses an unlicensed user only where the tenant requires a licence', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-l' });
    dynamo.on(GetCommand, { Key: { pk: 'globex', sk: `USER#${user.id}` } }).resolves({ Item: user });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${user.id}` } }).resolves({ Item: user });
    await expect(preAuthentication(event(user, 'globex'))).rejects.toThrow(/no licence/);
    await expect(preAuthentication(event(user, 'acme'))).resolves.toBeDefined();
  });

  it('refuses every user of a retired tenant before reading their profile', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-r' });
    dynamo.on(GetCommand, { Key: { pk: 'umbrella', sk: `USER#${user.id}` } }).resolves({ Item: user });
    await expect(preAuthentication(event(user, 'umbrella'))).rejects.toThrow(
      new Error('Your organisation no longer has access. Please contact your administrator'),
    );
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  it('lets Cognito answer for itself about a user it does not know', async () => {
    const unknown = { ...event(aUser()), request: { userAttributes: {}, userNotFound: true } };
    await expect(
      preAuthentication(unknown as unknown as PreAuthenticationTriggerEvent),
    ).resolves.toBeDefined();
  });
});

describe('pre-token-generation trigger', () => {
  it('gives a retired tenant’s refreshed sessions no token', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-rt' });
    const base = signInEvent(user, 'umbrella');
    await expect(
      preTokenGeneration({
        ...base,
        triggerSource: 'TokenGeneration_RefreshTokens',
        request: {
          userAttributes: base.request.userAttributes,
          groupConfiguration: { groupsToOverride: [] },
        },
        response: { claimsOverrideDetails: {} },
      } as unknown as PreTokenGenerationTriggerEvent),
    ).rejects.toThrow(/no longer has access/);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  it('puts tenant, user, scoped roles and permissions into the token', async () => {
    const user = aUser({
      status: 'active',
      cognitoSub: 'sub-t',
      roles: [{ role: 'team-work-manager', teams: ['north'] }],
    });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${user.id}` } }).resolves({ Item: user });
    mockCatalogue(dynamo);
    const base = signInEvent(user);
    const result = await preTokenGeneration({
      ...base,
      triggerSource: 'TokenGeneration_Authentication',
      request: { userAttributes: base.request.userAttributes, groupConfiguration: { groupsToOverride: [] } },
      response: { claimsOverrideDetails: {} },
    } as unknown as PreTokenGenerationTriggerEvent);
    expect(result.response.claimsOverrideDetails?.claimsToAddOrOverride).toEqual({
      'gatehouse:tenant': 'acme',
      'gatehouse:user': user.id,
      'gatehouse:roles': JSON.stringify([{ role: 'team-work-manager', teams: ['north'] }]),
      'gatehouse:permissions': 'workorders.dispatch workorders.read workorders.write',
    });
  });
});
