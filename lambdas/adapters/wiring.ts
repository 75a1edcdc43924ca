// Composition root: the AWS clients (once per module) and the adapters the use cases get as ports.
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '#services/ports.ts';
import { CognitoDirectory } from './cognito-directory.ts';
import { DynamoIdempotencyStore } from './dynamo-idempotency-store.ts';
import { DynamoRoleStore } from './dynamo-role-store.ts';
import { DynamoUserStore } from './dynamo-user-store.ts';
import type { TableNames } from './environment.ts';

/** The module's clients: exported so tests can put middleware (fault injection, call counting) on them. */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const cognito = new CognitoIdentityProviderClient({});

export function createDeps(tables: TableNames): Deps {
  return {
    users: new DynamoUserStore({
      client: dynamo,
      profilesTable: tables.PROFILES_TABLE,
      historyTable: tables.HISTORY_TABLE,
    }),
    roles: new DynamoRoleStore({
      client: dynamo,
      profilesTable: tables.PROFILES_TABLE,
      historyTable: tables.HISTORY_TABLE,
    }),
    directory: new CognitoDirectory({ client: cognito }),
    idempotency: new DynamoIdempotencyStore({ client: dynamo, profilesTable: tables.PROFILES_TABLE }),
    now: () => new Date(),
    newId: randomUUID,
  };
}
