// The managed login page of a tenant's pool, read from Cognito: the link a welcome mail gives when the tenant names
// no application. Read, not configured: the trigger cannot be told its pools' client ids (that would be a cycle).
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export class ManagedLoginLinks {
  // Per function instance: a pool's domain, client and callback URLs change with a deploy, which replaces instances.
  readonly #known = new Map<string, string>();

  constructor(private readonly options: { client: CognitoIdentityProviderClient; region: string }) {}

  /** `https://<prefix>.auth.<region>.amazoncognito.com/login?…` for the pool's app client and first callback URL. */
  async signInUrl(userPoolId: string): Promise<string | undefined> {
    const known = this.#known.get(userPoolId);
    if (known) return known;
    const { client, region } = this.options;
    const { UserPool: pool } = await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    const host =
      pool?.CustomDomain ?? (pool?.Domain ? `${pool.Domain}.auth.${region}.amazoncognito.com` : undefined);
    // Each Gatehouse pool has exactly one app client.
    const { UserPoolClients: clients } = await client.send(
      new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 1 }),
    );
    const clientId = clients?.[0]?.ClientId;
    if (!host || !clientId) return undefined;
    const { UserPoolClient: appClient } = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
    );
    const redirectUri = appClient?.CallbackURLs?.[0];
    if (!redirectUri) return undefined;
    const url = new URL(`https://${host}/login`);
    url.search = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
    }).toString();
    this.#known.set(userPoolId, url.toString());
    return url.toString();
  }
}
