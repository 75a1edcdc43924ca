// The admin console calls the API from its own origin: every answer, a refusal included, lets it read it.
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as getUser } from '#api/handlers/get-user.ts';
import { anAdmin, anEvent, aUser, context, mockCatalogue, tokenOf } from '#test/unit/fixtures.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const admin = anAdmin();
const target = aUser();

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${admin.id}` } }).resolves({ Item: admin });
  dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${target.id}` } }).resolves({ Item: target });
  mockCatalogue(dynamo);
});

const read = (token?: string) =>
  getUser(
    anEvent({
      method: 'GET',
      path: `/users/${target.id}`,
      pathParameters: { userId: target.id },
      ...(token ? { token } : {}),
    }),
    context,
  );

describe('answers to the admin console', () => {
  it("allow the console's origin (CONSOLE_ORIGIN) to read a success", async () => {
    const response = await read(tokenOf(admin));
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['access-control-allow-origin']).toBe('https://console.example.com');
  });

  it('allow it to read a problem too', async () => {
    const response = await read();
    expect(response.statusCode).toBe(401);
    expect(response.headers?.['access-control-allow-origin']).toBe('https://console.example.com');
  });
});
