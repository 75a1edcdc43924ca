import {
  AdminCreateUserCommand,
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { PreAuthenticationTriggerEvent, PreSignUpTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '#domain/user.ts';
import { aUser, changeItems, context, RETIRED } from '#test/unit/fixtures.ts';
import { registryTable } from '#test/unit/setup.ts';
import { handler as preAuthentication } from '#triggers/pre-authentication.ts';
import { handler as preSignUp } from '#triggers/pre-sign-up.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);

const POOLS = { acme: 'us-east-1_AcmeUnit1', globex: 'us-east-1_GlobexUnit1' } as const;

/** What every trigger event of a tenant's pool holds: who, from which pool and client, and their attributes. */
function triggerEvent<Source extends string>(
  tenant: keyof typeof POOLS,
  userName: string,
  triggerSource: Source,
  userAttributes: Record<string, string>,
) {
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: POOLS[tenant],
    userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: `${tenant}client` },
    triggerSource,
    request: { userAttributes, validationData: {} },
  };
}

/**
 * PreSignUp as Cognito sends it for a first sign-in through an identity provider: the user name is
 * `<provider>_<subject>`, the attributes are those the provider's mapping gave, plus Cognito's alias markers.
 */
function firstFederatedSignIn(
  tenant: keyof typeof POOLS,
  userName: string,
  attributes: Record<string, string>,
): PreSignUpTriggerEvent {
  return {
    ...triggerEvent(tenant, userName, 'PreSignUp_ExternalProvider', {
      'cognito:email_alias': '',
      'cognito:phone_number_alias': '',
      email_verified: 'false',
      ...attributes,
    }),
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  };
}

/** An OIDC provider's person: `sub` is the subject, mapped `email`, `given_name`, `family_name`. */
const oidcSignIn = (email: string, subject = 'a7c0f3e2-0b1d-4e5f-9a8b-7c6d5e4f3a2b') =>
  firstFederatedSignIn('acme', `AcmeID_${subject}`, { email, given_name: 'Ada', family_name: 'Lovelace' });

/** A SAML provider's person: the NameID (an email here) is the subject; claims mapped by their SAML names. */
const samlSignIn = (email: string) =>
  firstFederatedSignIn('globex', `GlobexSAML_${email}`, {
    email,
    given_name: 'Grace',
    family_name: 'Hopper',
  });

function stored(user: User, tenant = 'acme'): User {
  dynamo
    .on(GetCommand, { Key: { pk: tenant, sk: `EMAIL#${user.email}` } })
    .resolves({ Item: { userId: user.id } });
  dynamo.on(GetCommand, { Key: { pk: tenant, sk: `USER#${user.id}` } }).resolves({ Item: user });
  return user;
}

/** An active user of globex, a tenant that requires a licence: one they hold. */
const licensedGlobexUser = (cognitoSub: string, email: string) =>
  stored(aUser({ status: 'active', cognitoSub, email, licenceType: 'engineer' }), 'globex');

const written = () =>
  changeItems(dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? []);

beforeEach(() => {
  dynamo.reset();
  cognito.reset();
  dynamo.on(GetCommand).resolves({});
});

describe('pre-sign-up trigger, first sign-in through the identity provider', () => {
  it('links the identity to the login of the profile with that email, and makes an invited user active', async () => {
    const user = aUser({ status: 'invited', cognitoSub: 'sub-1', email: 'ada@acme.example.com' });
    stored(user);
    const event = oidcSignIn('Ada@Acme.example.com', 'oidc-subject-1');
    await expect(preSignUp(event, context)).resolves.toEqual(event);
    expect(cognito).toHaveReceivedCommandWith(AdminLinkProviderForUserCommand, {
      UserPoolId: POOLS.acme,
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'sub-1' },
      SourceUser: {
        ProviderName: 'AcmeID',
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: 'oidc-subject-1',
      },
    });
    expect(cognito).not.toHaveReceivedCommand(AdminCreateUserCommand);
    const [profile, history] = written();
    expect(profile?.Put?.Item).toMatchObject({
      status: 'active',
      cognitoSub: 'sub-1',
      identities: [{ provider: 'AcmeID', subject: 'oidc-subject-1' }],
      version: 2,
    });
    expect(profile?.Put?.Item?.registeredAt).toBe(profile?.Put?.Item?.lastLoginAt);
    expect(history?.Put?.Item).toMatchObject({
      action: 'user.linked',
      actor: { id: 'system', name: 'Sign-in' },
      changes: {
        identities: { after: [expect.objectContaining({ provider: 'AcmeID', subject: 'oidc-subject-1' })] },
        status: { before: 'invited', after: 'active' },
      },
    });
  });

  it('creates the login first, without a welcome mail, for a profile that has none', async () => {
    const user = aUser({ status: 'active', email: 'lin@acme.example.com' });
    stored(user);
    cognito
      .on(AdminCreateUserCommand)
      .resolves({ User: { Attributes: [{ Name: 'sub', Value: 'new-sub' }] } });
    await preSignUp(oidcSignIn(user.email, 'oidc-subject-2'), context);
    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, {
      UserPoolId: POOLS.acme,
      Username: user.email,
      MessageAction: 'SUPPRESS',
      UserAttributes: expect.arrayContaining([{ Name: 'custom:userId', Value: user.id }]),
    });
    expect(cognito).toHaveReceivedCommandWith(AdminLinkProviderForUserCommand, {
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'new-sub' },
    });
    expect(written()[0]?.Put?.Item).toMatchObject({ cognitoSub: 'new-sub', status: 'active' });
  });

  it('links a SAML identity by its NameID, where the tenant requires a licence the user holds', async () => {
    const user = licensedGlobexUser('sub-3', 'grace@globex.example.com');
    await preSignUp(samlSignIn(user.email), context);
    expect(cognito).toHaveReceivedCommandWith(AdminLinkProviderForUserCommand, {
      UserPoolId: POOLS.globex,
      SourceUser: {
        ProviderName: 'GlobexSAML',
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: 'grace@globex.example.com',
      },
    });
  });

  it.each([
    ['nobody has that email', undefined, /You have no account here/],
    [
      'the profile is deactivated',
      aUser({ status: 'inactive', cognitoSub: 's' }),
      /Your account is deactivated/,
    ],
    ['the profile is archived', aUser({ status: 'archived', cognitoSub: 's' }), /Your account is archived/],
  ])('refuses in plain words when %s, touching nothing', async (_case, user, message) => {
    const email = user?.email ?? 'stranger@acme.example.com';
    if (user) stored(user);
    await expect(preSignUp(oidcSignIn(email), context)).rejects.toThrow(message);
    expect(cognito.calls()).toHaveLength(0);
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('refuses a user without a licence where the tenant requires one', async () => {
    const user = aUser({ status: 'active', cognitoSub: 's', email: 'nolicence@globex.example.com' });
    stored(user, 'globex');
    await expect(preSignUp(samlSignIn(user.email), context)).rejects.toThrow(/no licence to sign in/);
    expect(cognito.calls()).toHaveLength(0);
  });

  it('refuses an identity whose provider gave no email', async () => {
    await expect(preSignUp(firstFederatedSignIn('acme', 'AcmeID_x', {}), context)).rejects.toThrow(
      /did not give your email/,
    );
  });

  it('takes the tenant from the registry by the event’s pool, so another tenant’s provider name is not set up here', async () => {
    const user = aUser({ status: 'active', cognitoSub: 's', email: 'ada@acme.example.com' });
    stored(user);
    // globex's provider name, in acme's pool: acme's record names AcmeID, whatever other tenants call theirs.
    const event = firstFederatedSignIn('acme', 'GlobexSAML_ada@acme.example.com', { email: user.email });
    await expect(preSignUp(event, context)).rejects.toThrow(/This sign-in is not set up/);
    expect(registryTable).toHaveReceivedCommandWith(GetItemCommand, {
      Key: {
        pk: { S: `ISSUER#https://cognito-idp.us-east-1.amazonaws.com/${POOLS.acme}` },
        sk: { S: 'ISSUER' },
      },
    });
    expect(cognito.calls()).toHaveLength(0);
  });

  it('refuses a first sign-in in a pool the registry does not know', async () => {
    const event = { ...oidcSignIn('ada@acme.example.com'), userPoolId: 'us-east-1_Unregistered1' };
    await expect(preSignUp(event, context)).rejects.toThrow(/no registered tenant/);
    expect(cognito.calls()).toHaveLength(0);
  });

  it('refuses a first sign-in in a retired tenant’s pool', async () => {
    const event = { ...oidcSignIn('ada@acme.example.com'), userPoolId: RETIRED.userPoolId };
    await expect(preSignUp(event, context)).rejects.toThrow(/no longer has access/);
    expect(cognito.calls()).toHaveLength(0);
  });

  it('leaves the logins Gatehouse creates itself alone', async () => {
    const event: PreSignUpTriggerEvent = {
      ...oidcSignIn('x@acme.example.com'),
      userName: 'b2d0c1e4-0000-4000-8000-000000000001',
      triggerSource: 'PreSignUp_AdminCreateUser',
    };
    await expect(preSignUp(event, context)).resolves.toEqual(event);
    expect(dynamo.calls()).toHaveLength(0);
    expect(cognito.calls()).toHaveLength(0);
  });
});

describe('pre-authentication trigger and the tenant’s sso mode', () => {
  function signIn(user: User, tenant: keyof typeof POOLS, userName: string): PreAuthenticationTriggerEvent {
    return {
      ...triggerEvent(tenant, userName, 'PreAuthentication_Authentication', {
        sub: user.cognitoSub ?? '',
        email: user.email,
        'custom:userId': user.id,
        'custom:tenantId': tenant,
        'cognito:user_status': 'CONFIRMED',
      }),
      response: {},
    };
  }

  it('refuses a password where the tenant requires its provider for the email’s domain', async () => {
    const user = licensedGlobexUser('sub-g', 'x@globex.example.com');
    await expect(preAuthentication(signIn(user, 'globex', 'sub-g'))).rejects.toThrow(
      'Please sign in with GlobexSAML: your organisation does not allow a password here',
    );
  });

  it('lets the same person in through the provider, and others of the tenant with their password', async () => {
    const user = licensedGlobexUser('sub-h', 'y@globex.example.com');
    await expect(
      preAuthentication(signIn(user, 'globex', 'GlobexSAML_y@globex.example.com')),
    ).resolves.toBeDefined();
    const outsider = licensedGlobexUser('sub-i', 'z@partner.example.com');
    await expect(preAuthentication(signIn(outsider, 'globex', 'sub-i'))).resolves.toBeDefined();
  });

  it('lets a password in where the provider is optional', async () => {
    const user = aUser({ status: 'active', cognitoSub: 'sub-j', email: 'j@acme.example.com' });
    stored(user);
    await expect(preAuthentication(signIn(user, 'acme', 'sub-j'))).resolves.toBeDefined();
  });

  it('refuses a later sign-in through the provider of a deactivated user', async () => {
    const user = aUser({ status: 'inactive', cognitoSub: 'sub-k', email: 'k@acme.example.com' });
    stored(user);
    await expect(preAuthentication(signIn(user, 'acme', 'AcmeID_k'))).rejects.toThrow(/deactivated/);
  });
});
