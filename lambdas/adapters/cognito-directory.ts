// Directory on Cognito: one user pool per tenant; users sign in by email, Gatehouse addresses a login by its
// sub (immutable, unlike the email), and the profile id rides along as a custom attribute only admins write.
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
import type { Directory, Identity, Login, TenantPool } from '#services/ports.ts';

/** How a linked identity is named in AdminLinkProviderForUser and AdminDisableProviderForUser: by its subject. */
const SUBJECT = 'Cognito_Subject';

export class CognitoDirectory implements Directory {
  constructor(private readonly options: { client: CognitoIdentityProviderClient }) {}

  private get client() {
    return this.options.client;
  }

  createLogin(tenant: TenantPool, user: User): Promise<{ sub: string }> {
    return this.create(tenant, user, true);
  }

  createSilentLogin(tenant: TenantPool, user: User): Promise<{ sub: string }> {
    return this.create(tenant, user, false);
  }

  private async create(tenant: TenantPool, user: User, welcome: boolean): Promise<{ sub: string }> {
    try {
      // No TemporaryPassword: Cognito generates one that meets the pool's policy and mails it in
      // the welcome message, which the CustomMessage trigger words for the tenant. Without the mail nobody
      // knows it: the login is for signing in through the identity provider.
      const { User: created } = await this.client.send(
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
      const existing = await this.getLogin(tenant, user.email);
      if (existing?.userId === user.id) return { sub: existing.sub };
      throw new EmailTaken(user.email);
    }
  }

  async getLogin(tenant: TenantPool, username: string): Promise<Login | undefined> {
    try {
      const found = await this.client.send(
        new AdminGetUserCommand({ UserPoolId: tenant.userPoolId, Username: username }),
      );
      return toLogin(found.UserAttributes, found.Enabled, found.UserStatus, found.UserLastModifiedDate);
    } catch (error) {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    }
  }

  async listLogins(tenant: TenantPool): Promise<Login[]> {
    const logins: Login[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
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
  }

  async enableLogin(tenant: TenantPool, sub: string): Promise<void> {
    await this.client.send(new AdminEnableUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
  }

  async disableLogin(tenant: TenantPool, sub: string): Promise<void> {
    await this.client.send(new AdminDisableUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
    // Disabling stops new sign-ins; signing out revokes the refresh tokens already handed out.
    await this.client.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: tenant.userPoolId, Username: sub }),
    );
  }

  async linkIdentity(tenant: TenantPool, sub: string, identity: Identity): Promise<void> {
    await this.client.send(
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
  }

  async deleteLogin(tenant: TenantPool, sub: string, linked: readonly Identity[] = []): Promise<void> {
    for (const identity of linked) {
      try {
        await this.client.send(
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
    try {
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
  }

  async resendInvitation(tenant: TenantPool, sub: string): Promise<void> {
    await this.client.send(
      new AdminCreateUserCommand({
        UserPoolId: tenant.userPoolId,
        Username: sub,
        MessageAction: 'RESEND',
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
  }

  async resetPassword(tenant: TenantPool, sub: string): Promise<void> {
    await this.client.send(
      new AdminResetUserPasswordCommand({ UserPoolId: tenant.userPoolId, Username: sub }),
    );
  }

  async setPassword(tenant: TenantPool, sub: string, password: string, permanent: boolean): Promise<void> {
    await this.client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: tenant.userPoolId,
        Username: sub,
        Password: password,
        Permanent: permanent,
      }),
    );
  }

  async changeEmail(tenant: TenantPool, sub: string, email: string): Promise<void> {
    try {
      await this.client.send(
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
  }
}

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
