// Deletes a tenant's user pool for a purge: its domain and deletion protection first, as Cognito requires.
import {
  type CognitoIdentityProviderClient,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { UserPoolRemover } from '#services/purge-tenant.ts';

const gone = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';

export class CognitoPoolRemover implements UserPoolRemover {
  constructor(private readonly options: { client: CognitoIdentityProviderClient }) {}

  async remove(userPoolId: string): Promise<'deleted' | 'absent'> {
    const { client } = this.options;
    const pool = await client
      .send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))
      .then((r) => r.UserPool)
      .catch((error: unknown) => {
        if (gone(error)) return undefined;
        throw error;
      });
    if (!pool) return 'absent';
    // A pool with a domain cannot be deleted; a tenant's stack retains both.
    for (const domain of [pool.Domain, pool.CustomDomain]) {
      if (domain)
        await client.send(new DeleteUserPoolDomainCommand({ UserPoolId: userPoolId, Domain: domain }));
    }
    if (pool.DeletionProtection === 'ACTIVE') {
      // UpdateUserPool resets what it is not given; the pool is deleted next, so only what Cognito refuses to
      // change on a live pool is passed back (its MFA setting).
      await client.send(
        new UpdateUserPoolCommand({
          UserPoolId: userPoolId,
          DeletionProtection: 'INACTIVE',
          ...(pool.MfaConfiguration ? { MfaConfiguration: pool.MfaConfiguration } : {}),
        }),
      );
    }
    try {
      await client.send(new DeleteUserPoolCommand({ UserPoolId: userPoolId }));
    } catch (error) {
      if (gone(error)) return 'absent';
      throw error;
    }
    return 'deleted';
  }
}
