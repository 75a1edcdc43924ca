// AdminLinkProviderForUser and AdminDisableProviderForUser offline, through the real SDK v3 client: AWS's rules.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminDisableProviderForUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCognito, startLocalCognito } from '#local/cognito.ts';
import { outcome } from '#test/support/offline.ts';
import { type Harness, newEmail, POOL, REGION } from './cognito-harness.ts';

let dataDir: string;
let h: Harness;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-links-'));
  // The pool's identity provider is named, never reached: linking needs only its name.
  const cognito: LocalCognito = await startLocalCognito({
    dataDir,
    region: REGION,
    pools: [
      {
        ...POOL,
        sso: { name: 'AcmeID', issuer: 'http://127.0.0.1:9/none', clientId: 'c', clientSecret: 's' },
      },
    ],
    lambdaEndpoint: 'http://127.0.0.1:9',
    triggers: {},
    sendMail: async (mail) => {
      h.mails.push(mail);
    },
  });
  const client = new CognitoIdentityProviderClient({
    endpoint: cognito.url,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  h = {
    cognito,
    client,
    mails: [],
    stop: async () => {
      client.destroy();
      await cognito.stop();
    },
  };
});
afterAll(async () => {
  await h?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A login as Gatehouse creates one for a person who signs in through the provider: no welcome mail. */
async function createUser(harness: Harness) {
  const email = newEmail();
  const { User } = await harness.client.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL.userPoolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'custom:tenantId', Value: POOL.tenantId },
        { Name: 'custom:userId', Value: `u-${email}` },
      ],
    }),
  );
  return { email, sub: User?.Username as string };
}

const link = (sub: string, subject: string, provider = 'AcmeID') =>
  h.client.send(
    new AdminLinkProviderForUserCommand({
      UserPoolId: POOL.userPoolId,
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: sub },
      SourceUser: {
        ProviderName: provider,
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: subject,
      },
    }),
  );
const identities = async (sub: string) => {
  const user = await h.client.send(new AdminGetUserCommand({ UserPoolId: POOL.userPoolId, Username: sub }));
  const value = user.UserAttributes?.find((a) => a.Name === 'identities')?.Value;
  return value ? (JSON.parse(value) as { providerName: string; userId: string; providerType: string }[]) : [];
};

describe('linking identity-provider accounts to logins', () => {
  it('links an account to a login, in the login’s identities attribute, as AWS keeps it', async () => {
    const user = await createUser(h);
    await link(user.sub, 'subject-1');
    expect(await identities(user.sub)).toEqual([
      expect.objectContaining({
        providerName: 'AcmeID',
        userId: 'subject-1',
        providerType: 'OIDC',
        primary: false,
      }),
    ]);
  });

  it('refuses an unknown provider, an unknown login, and an account already linked', async () => {
    const user = await createUser(h);
    expect(await outcome(link(user.sub, 'subject-2', 'Elsewhere'))).toMatch(/^InvalidParameterException/);
    expect(await outcome(link('no-such-sub', 'subject-2'))).toBe(
      'UserNotFoundException: User does not exist.',
    );
    await link(user.sub, 'subject-2');
    const other = await createUser(h);
    expect(await outcome(link(other.sub, 'subject-2'))).toMatch(/^InvalidParameterException/);
  });

  it('allows five accounts per login, as AWS does', async () => {
    const user = await createUser(h);
    for (let i = 0; i < 5; i++) await link(user.sub, `many-${user.sub}-${i}`);
    expect(await outcome(link(user.sub, `many-${user.sub}-5`))).toMatch(/^LimitExceededException/);
  });

  it('removes a link with AdminDisableProviderForUser, and answers UserNotFound once it is gone', async () => {
    const user = await createUser(h);
    await link(user.sub, 'subject-3');
    const disable = () =>
      h.client.send(
        new AdminDisableProviderForUserCommand({
          UserPoolId: POOL.userPoolId,
          User: {
            ProviderName: 'AcmeID',
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: 'subject-3',
          },
        }),
      );
    await disable();
    expect(await identities(user.sub)).toEqual([]);
    expect(await outcome(disable())).toBe('UserNotFoundException: User does not exist.');
  });
});
