// Directory on Cognito: one user pool per tenant; the login is the email, the profile id a custom attribute.
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { EmailTaken } from '#domain/errors.ts';
import type { User } from '#domain/user.ts';
import type { Directory, Tenant } from '#services/ports.ts';

export class CognitoDirectory implements Directory {
  constructor(private readonly options: { client: CognitoIdentityProviderClient }) {}

  async createLogin(tenant: Tenant, user: User): Promise<{ sub: string }> {
    try {
      // No TemporaryPassword: Cognito generates one that meets the pool's policy and mails it in
      // the welcome message, which the CustomMessage trigger words for the tenant.
      const { User: created } = await this.options.client.send(
        new AdminCreateUserCommand({
          UserPoolId: tenant.userPoolId,
          Username: user.email,
          DesiredDeliveryMediums: ['EMAIL'],
          UserAttributes: [
            { Name: 'email', Value: user.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'given_name', Value: user.firstName },
            { Name: 'family_name', Value: user.lastName },
            { Name: 'custom:tenantId', Value: tenant.id },
            { Name: 'custom:userId', Value: user.id },
          ],
        }),
      );
      const sub = created?.Attributes?.find((a) => a.Name === 'sub')?.Value;
      if (!sub) throw new Error('AdminCreateUser answered without the new user’s sub');
      return { sub };
    } catch (error) {
      if (error instanceof UsernameExistsException) throw new EmailTaken(user.email);
      throw error;
    }
  }

  async deleteLogin(tenant: Tenant, email: string): Promise<void> {
    try {
      await this.options.client.send(
        new AdminDeleteUserCommand({ UserPoolId: tenant.userPoolId, Username: email }),
      );
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
  }
}
