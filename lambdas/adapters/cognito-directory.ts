// Directory on Cognito: one user pool per tenant; users sign in by email, Gatehouse addresses a login by its
// sub (immutable, unlike the email), and the profile id rides along as an immutable custom attribute.
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
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
import type { Directory, Login, Tenant } from '#services/ports.ts';

export class CognitoDirectory implements Directory {
  constructor(private readonly options: { client: CognitoIdentityProviderClient }) {}

  private get client() {
    return this.options.client;
  }

  async createLogin(tenant: Tenant, user: User): Promise<{ sub: string }> {
    try {
      // No TemporaryPassword: Cognito generates one that meets the pool's policy and mails it in
      // the welcome message, which the CustomMessage trigger words for the tenant.
      const { User: created } = await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: tenant.userPoolId,
          Username: user.email,
          DesiredDeliveryMediums: ['EMAIL'],
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

  async getLogin(tenant: Tenant, username: string): Promise<Login | undefined> {
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

  async listLogins(tenant: Tenant): Promise<Login[]> {
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

  async enableLogin(tenant: Tenant, sub: string): Promise<void> {
    await this.client.send(new AdminEnableUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
  }

  async disableLogin(tenant: Tenant, sub: string): Promise<void> {
    await this.client.send(new AdminDisableUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
    // Disabling stops new sign-ins; signing out revokes the refresh tokens already handed out.
    await this.client.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: tenant.userPoolId, Username: sub }),
    );
  }

  async deleteLogin(tenant: Tenant, sub: string): Promise<void> {
    try {
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: tenant.userPoolId, Username: sub }));
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
  }

  async resendInvitation(tenant: Tenant, sub: string): Promise<void> {
    await this.client.send(
      new AdminCreateUserCommand({
        UserPoolId: tenant.userPoolId,
        Username: sub,
        MessageAction: 'RESEND',
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
  }

  async resetPassword(tenant: Tenant, sub: string): Promise<void> {
    await this.client.send(
      new AdminResetUserPasswordCommand({ UserPoolId: tenant.userPoolId, Username: sub }),
    );
  }

  async setPassword(tenant: Tenant, sub: string, password: string, permanent: boolean): Promise<void> {
    await this.client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: tenant.userPoolId,
        Username: sub,
        Password: password,
        Permanent: permanent,
      }),
    );
  }

  async changeEmail(tenant: Tenant, sub: string, email: string): Promise<void> {
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
    enabled: enabled ?? true,
    status: status ?? 'UNKNOWN',
    lastModified: lastModified ?? new Date(0),
  };
}
