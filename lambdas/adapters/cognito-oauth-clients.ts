// OAuthClients on Cognito: app clients of a tenant's pool for the client-credentials grant (SCIM directories).
import {
  type CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { OAuthClients, TenantPool } from '#services/ports.ts';

/** A directory's token lives an hour (Cognito's default); it asks for a new one with its secret. */
const ACCESS_TOKEN_MINUTES = 60;

export class CognitoOAuthClients implements OAuthClients {
  constructor(private readonly options: { client: CognitoIdentityProviderClient }) {}

  async createClientCredentialsClient(tenant: TenantPool, name: string, scopes: readonly string[]) {
    const { UserPoolClient: created } = await this.options.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: tenant.userPoolId,
        ClientName: name,
        // A confidential client: Cognito grants client credentials only to a client with a secret.
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [...scopes],
        // No user signs in through it: only refreshing is left on, which Cognito insists on and which a
        // client-credentials grant never uses (it issues no refresh token).
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        AccessTokenValidity: ACCESS_TOKEN_MINUTES,
        TokenValidityUnits: { AccessToken: 'minutes' },
      }),
    );
    if (!created?.ClientId || !created.ClientSecret) {
      throw new Error('CreateUserPoolClient answered without a client id and secret');
    }
    return { clientId: created.ClientId, clientSecret: created.ClientSecret };
  }

  async deleteClient(tenant: TenantPool, clientId: string): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteUserPoolClientCommand({ UserPoolId: tenant.userPoolId, ClientId: clientId }),
      );
    } catch (error) {
      // Gone already (an earlier attempt of this revocation got that far): what was asked for is done.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
