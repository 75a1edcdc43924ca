// Directory on Cognito: one user pool per tenant; users sign in by email, Gatehouse addresses a login by its
// sub (immutable, unlike the email), and the profile id rides along as a custom attribute only admins write.
// One function per operation of the `Directory` port, so a function bundles only the operations it declares.
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableProviderForUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  AliasExistsException,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { EmailTaken } from '#domain/errors.ts';
import type { User } from '#domain/user.ts';
import type { Directory, DirectoryOperation, Identity, Login, TenantPool } from '#services/ports.ts';

/** How a linked identity is named in AdminLinkProviderForUser and AdminDisableProviderForUser: by its subject. */
const SUBJECT = 'Cognito_Subject';

/**
 * One operation of the directory, on a client. Each is its own function, composed into the `Directory` in
 * lambdas/adapters/wiring.ts only where the function declares it: a bundle keeps the code, the commands and the
 * SDK's schemas of those commands of its declared operations alone (a class's methods would all stay).
 */
export type CognitoOperation<K extends DirectoryOperation> = (
  client: CognitoIdentityProviderClient,
) => Directory[K];

/** The Cognito actions each operation sends: what its function's IAM access must allow (test/infra/bundles.test.ts). */
export const DIRECTORY_COMMANDS = {
  // AdminGetUser: a login that exists already is read back before it is believed taken.
  createLogin: ['AdminCreateUser', 'AdminGetUser'],
  createSilentLogin: ['AdminCreateUser', 'AdminGetUser'],
  linkIdentity: ['AdminLinkProviderForUser'],
  getLogin: ['AdminGetUser'],
  listLogins: ['ListUsers'],
  enableLogin: ['AdminEnableUser'],
  disableLogin: ['AdminDisableUser', 'AdminUserGlobalSignOut'],
  deleteLogin: ['AdminDisableProviderForUser', 'AdminDeleteUser'],
  undoCreateLogin: ['AdminDeleteUser'],
  resendInvitation: ['AdminCreateUser'],
  resetPassword: ['AdminResetUserPassword'],
  setPassword: ['AdminSetUserPassword'],
  changeEmail: ['AdminUpdateUserAttributes'],
} as const satisfies Record<DirectoryOperation, readonly string[]>;

export const createLogin: CognitoOperation<'createLogin'> = (client) => (tenant, user) =>
  create(client, tenant, user, true);

export const createSilentLogin: CognitoOperation<'createSilentLogin'> = (client) => (tenant, user) =>
  create(client, tenant, user, false);

async function create(
  client: CognitoIdentityProviderClient,
  tenant: TenantPool,
  user: User,
  welcome: boolean,
): Promise<{ sub: string }> {
  try {
    // No TemporaryPassword: Cognito generates one that meets the pool's policy and mails it in
    // the welcome message, which the CustomMessage trigger words for the tenant. Without the mail nobody
    // knows it: the login is for signing in through the identity provider.
    const { User: created } = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: tenant.userPoolId,
        Username: user.email,
        ...(welcome ? { DesiredDeliveryMediums: ['EMAIL'] } : { MessageAction: 'SUPPRESS' }),
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
          // Only what Cognito needs: names stay in the profile, the one place they are edited.
          { Name: 'custom:tenantId', Value: tenant.id },
          { Name: 'custom:userId', Value: user.id },
        ],
      }),
    );
    const sub = attribute(created?.Attributes, 'sub');
    if (!sub) throw new Error('AdminCreateUser answered without the new user’s sub');
    return { sub };
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
    // Checked before it is believed: an earlier attempt of this very activation may have created it.
    const existing = await getLogin(client)(tenant, user.email);
    if (existing?.userId === user.id) return { sub: existing.sub };
    throw new EmailTaken(user.email);
  }
}

export const getLogin: CognitoOperation<'getLogin'> = (client) => async (tenant, username) => {
  try {
    const found = await client.send(
      new AdminGetUserCommand({ UserPoolId: tenant.userPoolId, Username: username }),
    );
    return toLogin(found.UserAttributes, found.Enabled, found.UserStatus, found.UserLastModifiedDate);
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
};

export const listLogins: CognitoOperation<'listLogins'> = (client) => async (tenant) => {
  const logins: Login[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListUsersCommand({
        UserPoolId: tenant.userPoolId,
        Limit: 60,
        ...(token ? { PaginationToken: token } : {}),
      }),
    );
    for (const u of page.Users ?? []) {
      const login = toLogin(u.Attributes, u.Enabled, u.UserStatus, u.UserLastModifiedDate);
      if (login) logins.push(login);
    }
    token = page.PaginationToken;
  } while (token);
  return logins;
};

export const enableLogin: CognitoOperation<'enableLogin'> = (client) => async (tenant, sub) => {
  await client.send(new AdminEnableUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
};

export const disableLogin: CognitoOperation<'disableLogin'> = (client) => async (tenant, sub) => {
  await client.send(new AdminDisableUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
  // Disabling stops new sign-ins; signing out revokes the refresh tokens already handed out.
  await client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
};

export const linkIdentity: CognitoOperation<'linkIdentity'> = (client) => async (tenant, sub, identity) => {
  await client.send(
    new AdminLinkProviderForUserCommand({
      UserPoolId: tenant.userPoolId,
      // A login of Gatehouse's: its user name is the sub.
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: sub },
      SourceUser: {
        ProviderName: identity.provider,
        ProviderAttributeName: SUBJECT,
        ProviderAttributeValue: identity.subject,
      },
    }),
  );
};

export const deleteLogin: CognitoOperation<'deleteLogin'> =
  (client) =>
  async (tenant, sub, linked = []) => {
    for (const identity of linked) {
      try {
        await client.send(
          new AdminDisableProviderForUserCommand({
            UserPoolId: tenant.userPoolId,
            User: {
              ProviderName: identity.provider,
              ProviderAttributeName: SUBJECT,
              ProviderAttributeValue: identity.subject,
            },
          }),
        );
      } catch (error) {
        // Already unlinked (a retry): nothing left to remove.
        if (!(error instanceof UserNotFoundException)) throw error;
      }
    }
    await deleteUser(client, tenant, sub);
  };

export const undoCreateLogin: CognitoOperation<'undoCreateLogin'> = (client) => (tenant, sub) =>
  deleteUser(client, tenant, sub);

async function deleteUser(client: CognitoIdentityProviderClient, tenant: TenantPool, sub: string) {
  try {
    await client.send(new AdminDeleteUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
  } catch (error) {
    // Already gone (a retry): nothing left to remove.
    if (!(error instanceof UserNotFoundException)) throw error;
  }
}

export const resendInvitation: CognitoOperation<'resendInvitation'> = (client) => async (tenant, sub) => {
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: tenant.userPoolId,
      Username: sub,
      MessageAction: 'RESEND',
      DesiredDeliveryMediums: ['EMAIL'],
    }),
  );
};

export const resetPassword: CognitoOperation<'resetPassword'> = (client) => async (tenant, sub) => {
  await client.send(new AdminResetUserPasswordCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
};

export const setPassword: CognitoOperation<'setPassword'> =
  (client) => async (tenant, sub, password, permanent) => {
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: tenant.userPoolId,
        Username: sub,
        Password: password,
        Permanent: permanent,
      }),
    );
  };

export const changeEmail: CognitoOperation<'changeEmail'> = (client) => async (tenant, sub, email) => {
  try {
    await client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: tenant.userPoolId,
        Username: sub,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  } catch (error) {
    if (error instanceof AliasExistsException || error instanceof UsernameExistsException)
      throw new EmailTaken(email);
    throw error;
  }
};

function attribute(attributes: AttributeType[] | undefined, name: string): string | undefined {
  return attributes?.find((a) => a.Name === name)?.Value;
}

function toLogin(
  attributes: AttributeType[] | undefined,
  enabled: boolean | undefined,
  status: string | undefined,
  lastModified: Date | undefined,
): Login | undefined {
  const sub = attribute(attributes, 'sub');
  if (!sub) return undefined;
  const userId = attribute(attributes, 'custom:userId');
  const email = attribute(attributes, 'email');
  return {
    sub,
    ...(userId ? { userId } : {}),
    ...(email ? { email } : {}),
    identities: identitiesOf(attribute(attributes, 'identities')),
    enabled: enabled ?? true,
    status: status ?? 'UNKNOWN',
    lastModified: lastModified ?? new Date(0),
  };
}

/** Cognito's `identities` attribute: a JSON list of the linked accounts (`providerName`, `userId`, …). */
export function identitiesOf(json: string | undefined): Identity[] {
  if (!json) return [];
  try {
    const list: unknown = JSON.parse(json);
    if (!Array.isArray(list)) return [];
    return list.flatMap((item: { providerName?: unknown; userId?: unknown }) =>
      typeof item?.providerName === 'string' && typeof item.userId === 'string'
        ? [{ provider: item.providerName, subject: item.userId }]
        : [],
    );
  } catch {
    return [];
  }
}
