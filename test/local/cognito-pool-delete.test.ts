// Deleting a pool offline takes its app clients with it, as Cognito does; another pool's are left alone.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, POOL, startHarness } from './cognito-harness.ts';

let dataDir: string;
let h: Harness;
const DOOMED = { ...POOL, tenantId: 'globex', userPoolId: 'eu-west-1_GlobexLocal', clientId: 'globexlocal1' };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-pool-delete-'));
  h = await startHarness(dataDir, undefined, {}, [POOL, DOOMED]);
});

afterAll(async () => {
  await h?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The app clients cognito-local keeps on disk, by id, with their pool. */
async function clientsOnDisk(): Promise<Record<string, { UserPoolId: string }>> {
  const file = JSON.parse(await readFile(join(dataDir, 'db', 'clients.json'), 'utf8'));
  return file.Clients ?? {};
}

describe('deleting a user pool offline', () => {
  it('deletes its app clients with it, and leaves another pool’s', async () => {
    const { UserPoolClient } = await h.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: DOOMED.userPoolId,
        ClientName: 'machine',
        GenerateSecret: true,
      }),
    );
    const extraClientId = UserPoolClient?.ClientId as string;
    expect(Object.keys(await clientsOnDisk())).toEqual(
      expect.arrayContaining([POOL.clientId, DOOMED.clientId, extraClientId]),
    );

    await h.client.send(new DeleteUserPoolCommand({ UserPoolId: DOOMED.userPoolId }));

    const left = await clientsOnDisk();
    expect(Object.values(left).filter((c) => c.UserPoolId === DOOMED.userPoolId)).toEqual([]);
    expect(Object.keys(left)).toEqual([POOL.clientId]);
    const survivor = await h.client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: POOL.userPoolId, ClientId: POOL.clientId }),
    );
    expect(survivor.UserPoolClient?.ClientId).toBe(POOL.clientId);
  });
});
