// What a caller gets when AWS says "not now", and what the logs say about whom.
import { TooManyRequestsException } from '@aws-sdk/client-cognito-identity-provider';
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#adapters/logger.ts';
import { handler as createUser } from '#api/handlers/create-user.ts';
import { handler as getMe } from '#api/handlers/get-me.ts';
import type { User } from '#domain/user.ts';
import { anAdmin, anEvent, context, mockCatalogue, tokenOf } from '#test/unit/fixtures.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const admin = anAdmin();

function stored(user: User) {
  dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${user.id}` } }).resolves({ Item: user });
}

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [] });
  mockCatalogue(dynamo);
});

const me = () => getMe(anEvent({ method: 'GET', path: '/me', token: tokenOf(admin) }), context);

describe('throttling and service faults', () => {
  it.each([
    [
      'DynamoDB throttling',
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    ],
    ['Cognito throttling', new TooManyRequestsException({ message: 'slow down', $metadata: {} })],
    [
      'a transaction that lost a race',
      new TransactionCanceledException({
        message: 'conflict',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
    ],
  ])('answers %s with 429 and Retry-After, never 500', async (_, error) => {
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${admin.id}` } }).rejects(error);
    const response = await me();
    expect(response.statusCode).toBe(429);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(response.body)).toMatchObject({ status: 429, title: 'Too many requests' });
  });

  it('answers a transaction conflict inside a write with 429', async () => {
    stored(admin);
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'conflict',
        $metadata: {},
        CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
      }),
    );
    const response = await createUser(
      anEvent({
        method: 'POST',
        path: '/users',
        token: tokenOf(admin),
        body: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada.race@example.com' },
      }),
      context,
    );
    expect(response.statusCode).toBe(429);
  });

  it('answers a service’s own failure with 503 and Retry-After', async () => {
    const fault = new InternalServerError({ message: 'internal', $metadata: { httpStatusCode: 500 } });
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${admin.id}` } }).rejects(fault);
    const response = await me();
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('2');
  });

  it('still answers a plain bug with 500, saying nothing about it', async () => {
    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${admin.id}` } }).rejects(new Error('a bug'));
    const response = await me();
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('a bug');
  });
});

describe('log keys', () => {
  const lines: Record<string, unknown>[] = [];
  beforeEach(() => {
    lines.length = 0;
    logger.setLogLevel('WARN');
    const capture = (chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
  });

  it('logs an error inside authorisation with its own request id, not the last request’s tenant', async () => {
    stored(admin);
    const first = anEvent({ method: 'GET', path: '/me', token: tokenOf(admin) });
    expect((await getMe(first, context)).statusCode).toBe(200);

    dynamo.on(GetCommand, { Key: { pk: 'acme', sk: `USER#${admin.id}` } }).rejects(new Error('a bug'));
    const second = anEvent({ method: 'GET', path: '/me', token: tokenOf(admin) });
    expect((await getMe(second, context)).statusCode).toBe(500);

    const logged = lines.find((l) => l.message === 'Unhandled error');
    expect(logged).toMatchObject({ requestId: second.requestContext.requestId });
    expect(logged).not.toHaveProperty('tenant');
  });
});
