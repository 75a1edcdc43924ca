import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as getMe } from '#api/handlers/get-me.ts';
import { handler as listUsers } from '#api/handlers/list-users.ts';
import type { User } from '#domain/user.ts';
import { idToken } from '#test/support/tokens.ts';
import {
  ACME,
  anAdmin,
  anEvent,
  aUser,
  context,
  GLOBEX,
  mockCatalogue,
  RETIRED,
  tokenOf,
} from '#test/unit/fixtures.ts';
import { registryTable } from '#test/unit/setup.ts';

const dynamo = mockClient(DynamoDBDocumentClient);

function stored(tenantId: string, user: User) {
  dynamo.on(GetCommand, { Key: { pk: tenantId, sk: `USER#${user.id}` } }).resolves({ Item: user });
}
const list = (token?: string) =>
  listUsers(anEvent({ method: 'GET', path: '/users', ...(token ? { token } : {}) }), context);
const status = async (p: Promise<{ statusCode: number }>) => (await p).statusCode;

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [] });
  mockCatalogue(dynamo);
});

describe('who may call an administrator route', () => {
  it('lets an active administrator of the tenant in', async () => {
    const admin = anAdmin();
    stored('acme', admin);
    expect(await status(list(tokenOf(admin)))).toBe(200);
  });

  it('answers 401 without a token, with a malformed one, and with an expired one', async () => {
    const admin = anAdmin();
    stored('acme', admin);
    expect(await status(list())).toBe(401);
    expect(await status(list('not.a.jwt'))).toBe(401);
    const expired = idToken({
      iss: ACME.issuer,
      aud: 'acmeclient',
      sub: admin.cognitoSub,
      'custom:userId': admin.id,
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    expect(await status(list(expired))).toBe(401);
  });

  it('refuses tokens of an issuer no tenant is configured with, such as the offline emulator’s', async () => {
    const admin = anAdmin();
    stored('acme', admin);
    const offline = idToken({
      iss: 'http://127.0.0.1:9229/us-east-1_AcmeUnit1',
      aud: 'acmeclient',
      sub: admin.cognitoSub,
      'custom:userId': admin.id,
    });
    expect(await status(list(offline))).toBe(401);
  });

  it('refuses an access token and a token for another app client', async () => {
    const admin = anAdmin();
    stored('acme', admin);
    const access = idToken({
      iss: ACME.issuer,
      aud: 'acmeclient',
      sub: admin.cognitoSub,
      'custom:userId': admin.id,
      token_use: 'access',
    });
    const otherClient = idToken({
      iss: ACME.issuer,
      aud: 'someoneelse',
      sub: admin.cognitoSub,
      'custom:userId': admin.id,
    });
    expect(await status(list(access))).toBe(401);
    expect(await status(list(otherClient))).toBe(401);
  });

  it('takes the tenant from the issuer: an acme user id in a globex token finds nobody', async () => {
    const admin = anAdmin();
    stored('acme', admin);
    expect(await status(list(tokenOf(admin, GLOBEX)))).toBe(401);
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'globex', sk: `USER#${admin.id}` } });
  });

  it('answers 401 when the token’s login is not the one the profile knows', async () => {
    const admin = anAdmin();
    stored('acme', { ...admin, cognitoSub: 'a-newer-login' });
    expect(await status(list(tokenOf(admin)))).toBe(401);
  });

  it.each([
    'inactive',
    'invited',
    'archived',
  ] as const)('refuses an administrator who is now %s, whatever the token says', async (now) => {
    const admin = anAdmin();
    stored('acme', { ...admin, status: now });
    const response = await list(tokenOf(admin));
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).detail).toContain(now);
  });

  it('answers 403 to a user without the route’s permission, yet lets them read /me', async () => {
    const technician = aUser({ status: 'active', cognitoSub: 'tech-sub', roles: [{ role: 'technician' }] });
    stored('acme', technician);
    const denied = await list(tokenOf(technician));
    expect(denied.statusCode).toBe(403);
    expect(JSON.parse(denied.body).detail).toContain('users.read');
    const me = await getMe(anEvent({ method: 'GET', path: '/me', token: tokenOf(technician) }), context);
    expect(me.statusCode).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ id: technician.id, roles: [{ role: 'technician' }] });
    expect(dynamo).toHaveReceivedCommandTimes(GetCommand, 2);
  });
});

describe('the tenant a token names, through the registry', () => {
  it('refuses every user of a retired tenant with 403, before reading their profile', async () => {
    const admin = anAdmin();
    stored('umbrella', admin);
    const response = await listUsers(
      anEvent({ method: 'GET', path: '/users', token: tokenOf(admin, RETIRED) }),
      context,
    );
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).detail).toMatch(/retired/);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  it('reads the registry once per issuer, not on each request of a warm instance', async () => {
    const admin = anAdmin();
    stored('acme', admin);
    const before = registryTable.commandCalls(GetItemCommand).length;
    const call = () => listUsers(anEvent({ method: 'GET', path: '/users', token: tokenOf(admin) }), context);
    expect((await call()).statusCode).toBe(200);
    const afterFirst = registryTable.commandCalls(GetItemCommand).length;
    expect((await call()).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(200);
    // The first request may have found acme's issuer cached by an earlier test of this file: at most one read.
    expect(afterFirst - before).toBeLessThanOrEqual(1);
    expect(registryTable.commandCalls(GetItemCommand).length).toBe(afterFirst);
  });
});
