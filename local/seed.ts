// Seeds each demo tenant's administrator: a Cognito login with a permanent password and an active profile.
import { randomUUID } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoUserWrites } from '#adapters/dynamo-user-writes.ts';
import { diff } from '#domain/history.ts';
import type { Actor, User } from '#domain/user.ts';
import type { DemoTenant } from './demo.ts';

const SEED: Actor = { id: 'system', name: 'Offline seed' };

export async function seedAdmin(
  clients: { cognito: CognitoIdentityProviderClient; dynamo: DynamoDBDocumentClient },
  tables: { profiles: string; history: string },
  tenant: DemoTenant,
): Promise<void> {
  const { admin } = tenant;
  const claimed = await clients.dynamo.send(
    new GetCommand({ TableName: tables.profiles, Key: { pk: tenant.config.id, sk: `EMAIL#${admin.email}` } }),
  );
  if (claimed.Item) return; // seeded on an earlier start: data survives restarts

  // A login left by a start that died before the profile was written is adopted, with the id it carries.
  const login =
    (await existingLogin(clients.cognito, tenant)) ??
    (await createLogin(clients.cognito, tenant, randomUUID()));
  const { sub, userId } = login;
  await clients.cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: tenant.userPoolId,
      Username: admin.email,
      Password: admin.password,
      Permanent: true,
    }),
  );
  const at = new Date().toISOString();
  const user: User = {
    id: userId,
    firstName: admin.firstName,
    lastName: admin.lastName,
    email: admin.email,
    roles: [{ role: 'administrator' }],
    // The first licence type, where the tenant has licences: one it may require to sign in.
    ...(Object.keys(tenant.config.licences)[0]
      ? { licenceType: Object.keys(tenant.config.licences)[0] }
      : {}),
    userType: 'internal',
    status: 'active',
    cognitoSub: sub,
    invitedAt: at,
    registeredAt: at,
    createdAt: at,
    createdBy: SEED,
    updatedAt: at,
    updatedBy: SEED,
    version: 1,
  };
  const store = new DynamoUserWrites({
    client: clients.dynamo,
    profilesTable: tables.profiles,
    historyTable: tables.history,
  });
  await store.create(tenant.config.id, user, {
    id: randomUUID(),
    userId,
    at,
    actor: SEED,
    action: 'user.created',
    requestId: 'offline-seed',
    changes: diff(undefined, user),
  });
}

interface Login {
  sub: string;
  userId: string;
}

async function existingLogin(
  cognito: CognitoIdentityProviderClient,
  tenant: DemoTenant,
): Promise<Login | undefined> {
  try {
    const found = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: tenant.userPoolId, Username: tenant.admin.email }),
    );
    const attribute = (name: string) => found.UserAttributes?.find((a) => a.Name === name)?.Value;
    const sub = attribute('sub');
    const userId = attribute('custom:userId');
    return sub && userId ? { sub, userId } : undefined;
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}

async function createLogin(
  cognito: CognitoIdentityProviderClient,
  tenant: DemoTenant,
  userId: string,
): Promise<Login> {
  const { User: created } = await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: tenant.userPoolId,
      Username: tenant.admin.email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: tenant.admin.email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'given_name', Value: tenant.admin.firstName },
        { Name: 'family_name', Value: tenant.admin.lastName },
        { Name: 'custom:tenantId', Value: tenant.config.id },
        { Name: 'custom:userId', Value: userId },
      ],
    }),
  );
  const sub = created?.Attributes?.find((a) => a.Name === 'sub')?.Value;
  if (!sub) throw new Error('AdminCreateUser answered without a sub');
  return { sub, userId };
}
