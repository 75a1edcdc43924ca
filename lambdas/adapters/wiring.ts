// Composition root: the AWS clients (once per module) and the adapters the use cases get as ports.
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '#services/ports.ts';
import { CognitoDirectory } from './cognito-directory.ts';
import { DynamoUserStore } from './dynamo-user-store.ts';
import { type FunctionEnvironment, readEnvironment } from './environment.ts';

export interface Runtime {
  env: FunctionEnvironment;
  deps: Deps;
}

let runtime: Runtime | undefined;

/** Built on first use, then reused by every invocation of the warm function. */
export function getRuntime(): Runtime {
  runtime ??= createRuntime(readEnvironment());
  return runtime;
}

export function createRuntime(env: FunctionEnvironment): Runtime {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const cognito = new CognitoIdentityProviderClient({});
  return {
    env,
    deps: {
      users: new DynamoUserStore({
        client: dynamo,
        profilesTable: env.PROFILES_TABLE,
        historyTable: env.HISTORY_TABLE,
      }),
      directory: new CognitoDirectory({ client: cognito }),
      now: () => new Date(),
      newId: randomUUID,
    },
  };
}
