// App clients with resource-server scopes and the client-credentials grant offline, through the real SDK v3
// client and the token endpoint: what cognito-local lacks (resource servers, the grant) made as AWS has it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
  DeleteUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifiedClaims } from '#local/cognito/hosted/jwt.ts';
import { outcome } from '#test/support/offline.ts';
import { type Harness, POOL, startHarness } from './cognito-harness.ts';

let dataDir: string;
let h: Harness;
const OTHER_POOL = {
  ...POOL,
  tenantId: 'globex',
  userPoolId: 'eu-west-1_GlobexLocal',
  clientId: 'globexlocal1',
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-m2m-'));
  h = await startHarness(dataDir, undefined, {}, [
    { ...POOL, resourceServers: [{ identifier: 'gatehouse', name: 'Gatehouse', scopes: ['scim', 'audit'] }] },
    // A pool without the resource server: its clients cannot be given the scope.
    OTHER_POOL,
  ]);
});

afterAll(async () => {
  await h?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const machineClient = (overrides: Partial<CreateUserPoolClientCommandInput> = {}) =>
  h.client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: POOL.userPoolId,
      ClientName: 'machine',
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['gatehouse/scim'],
      AccessTokenValidity: 30,
      TokenValidityUnits: { AccessToken: 'minutes' },
      ...overrides,
    }),
  );

async function token(form: Record<string, string>, basic?: [string, string]) {
  const response = await fetch(`${h.cognito.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(basic
        ? {
            authorization: `Basic ${Buffer.from(basic.map(encodeURIComponent).join(':')).toString('base64')}`,
          }
        : {}),
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('app clients for the client-credentials grant', () => {
  it('are created with a secret as long as AWS’s, for the scopes of the pool’s resource servers', async () => {
    const { UserPoolClient: client } = await machineClient();
    expect(client?.ClientSecret).toMatch(/^[a-z0-9]{51}$/);
    expect(client?.AllowedOAuthScopes).toEqual(['gatehouse/scim']);
  });

  it('are refused a scope no resource server defines, a missing secret, or a user flow beside it', async () => {
    expect(await outcome(machineClient({ AllowedOAuthScopes: ['gatehouse/admin'] }))).toMatch(
      /^ScopeDoesNotExistException/,
    );
    expect(
      await outcome(
        machineClient({ UserPoolId: OTHER_POOL.userPoolId, AllowedOAuthScopes: ['gatehouse/scim'] }),
      ),
    ).toMatch(/^ScopeDoesNotExistException/);
    expect(await outcome(machineClient({ GenerateSecret: false }))).toMatch(/^InvalidOAuthFlowException/);
    expect(await outcome(machineClient({ AllowedOAuthFlows: ['client_credentials', 'code'] }))).toMatch(
      /^InvalidOAuthFlowException/,
    );
  });

  it('get an access token by client_secret_basic or client_secret_post, for the scopes asked or all they have', async () => {
    const { UserPoolClient: client } = await machineClient({
      AllowedOAuthScopes: ['gatehouse/scim', 'gatehouse/audit'],
    });
    const id = client?.ClientId as string;
    const secret = client?.ClientSecret as string;
    const basic = await token({ grant_type: 'client_credentials', scope: 'gatehouse/scim' }, [id, secret]);
    expect(basic.status).toBe(200);
    expect(basic.body).toMatchObject({ token_type: 'Bearer', expires_in: 1800 });
    const claims = verifiedClaims(basic.body.access_token as string, Date.now());
    expect(claims).toMatchObject({
      iss: `${h.cognito.url}/${POOL.userPoolId}`,
      token_use: 'access',
      scope: 'gatehouse/scim',
      client_id: id,
      sub: id,
    });
    expect((claims?.exp as number) - (claims?.iat as number)).toBe(1800);
    const post = await token({ grant_type: 'client_credentials', client_id: id, client_secret: secret });
    expect(post.status).toBe(200);
    expect(verifiedClaims(post.body.access_token as string, Date.now())?.scope).toBe(
      'gatehouse/scim gatehouse/audit',
    );
  });

  it('are refused by the token endpoint for a wrong secret, a scope not theirs, or once deleted', async () => {
    const { UserPoolClient: client } = await machineClient();
    const id = client?.ClientId as string;
    const secret = client?.ClientSecret as string;
    expect(await token({ grant_type: 'client_credentials' }, [id, 'nope'])).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await token({ grant_type: 'client_credentials' })).toMatchObject({ status: 401 });
    for (const scope of ['gatehouse/audit', 'openid', 'aws.cognito.signin.user.admin']) {
      expect(await token({ grant_type: 'client_credentials', scope }, [id, secret])).toMatchObject({
        status: 400,
        body: { error: 'invalid_scope' },
      });
    }
    // One way of authenticating at a time (RFC 6749 §2.3), and the Basic id must be the form's.
    expect(
      (await token({ grant_type: 'client_credentials', client_secret: secret }, [id, secret])).status,
    ).toBe(400);
    expect((await token({ grant_type: 'client_credentials', client_id: 'other' }, [id, secret])).status).toBe(
      401,
    );
    await h.client.send(new DeleteUserPoolClientCommand({ UserPoolId: POOL.userPoolId, ClientId: id }));
    expect(await token({ grant_type: 'client_credentials' }, [id, secret])).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });

  it('is not the grant of a client without it, such as the pool’s own app client', async () => {
    const { UserPoolClient: client } = await h.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: POOL.userPoolId,
        ClientName: 'web',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'gatehouse/scim'],
        CallbackURLs: ['https://app.example.com/cb'],
      }),
    );
    expect(
      await token({ grant_type: 'client_credentials' }, [
        client?.ClientId as string,
        client?.ClientSecret as string,
      ]),
    ).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect(
      await token({ grant_type: 'client_credentials', client_id: POOL.clientId, client_secret: '' }),
    ).toMatchObject({ status: 401 });
  });

  it('says so in the pool’s discovery document', async () => {
    const discovery = (await (
      await fetch(`${h.cognito.url}/${POOL.userPoolId}/.well-known/openid-configuration`)
    ).json()) as Record<string, string[]>;
    expect(discovery.grant_types_supported).toContain('client_credentials');
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
  });
});
