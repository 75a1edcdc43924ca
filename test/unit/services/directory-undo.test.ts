// A login change whose profile write is then refused is undone in Cognito (writeOrUndo). The HTTP tests never
// reach that path (it needs a write refused between a read and the write), so here each use case runs on the
// directory each function that serves it is built with (its declared operations, on a mocked Cognito): an undo
// its function does not declare would fail with "does not declare" in place of the refusal, and leave the login.
import { randomUUID } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDirectory, type DirectoryNeeds } from '#adapters/wiring.ts';
import { ROUTES } from '#api/routes.ts';
import { SCIM_DIRECTORY } from '#api/scim-routes.ts';
import { VersionConflict } from '#domain/errors.ts';
import { BUILT_IN_ROLES } from '#domain/roles.ts';
import type { User } from '#domain/user.ts';
import { JOB_NEEDS } from '#jobs/needs.ts';
import { createUser } from '#services/create-user.ts';
import { activateUser, archiveUser, deactivateUser } from '#services/lifecycle.ts';
import type { Deps } from '#services/ports.ts';
import { aCaller, aUser } from '#test/unit/fixtures.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
const catalogue = new Map(BUILT_IN_ROLES.map((r) => [r.id, r]));
const caller = aCaller();

/** Ports whose every profile write is refused as changed meanwhile, on the directory of `operations`. */
function refusingDeps(user: User, operations: DirectoryNeeds): Deps {
  const refused = async () => {
    throw new VersionConflict();
  };
  return {
    users: { get: async () => user, create: refused, update: refused, activeAdministrators: async () => 2 },
    roles: { catalogue: async () => catalogue },
    directory: createDirectory(operations, new CognitoIdentityProviderClient({})),
    now: () => new Date('2026-01-01T00:00:00Z'),
    newId: () => randomUUID(),
  } as unknown as Deps;
}

// The functions whose use cases change a login before the profile write: their declarations, as they are built.
const ACTIVATING = {
  activateUser: ROUTES.activateUser.directory ?? [],
  bulkUsers: ROUTES.bulkUsers.directory ?? [],
  jobWorker: JOB_NEEDS.jobWorker.directory,
  scim: SCIM_DIRECTORY,
};
const CASES = [
  {
    name: 'a user created activated: the new login is deleted',
    functions: {
      createUser: ROUTES.createUser.directory ?? [],
      jobWorker: JOB_NEEDS.jobWorker.directory,
      scim: SCIM_DIRECTORY,
    },
    user: aUser(),
    run: (deps: Deps, user: User) =>
      createUser(
        deps,
        caller,
        {
          firstName: user.firstName,
          lastName: user.lastName,
          email: user.email,
          roles: [],
          userType: 'internal',
        },
        true,
      ),
    undo: AdminDeleteUserCommand,
  },
  {
    name: 'a first activation: the new login is deleted',
    functions: ACTIVATING,
    user: aUser({ status: 'inactive' }),
    run: (deps: Deps, user: User) => activateUser(deps, caller, user.id),
    undo: AdminDeleteUserCommand,
  },
  {
    name: 'an activation again: the login is disabled again',
    functions: ACTIVATING,
    user: aUser({ status: 'inactive', cognitoSub: 'sub-1', invitedAt: '2026-01-01T00:00:00.000Z' }),
    run: (deps: Deps, user: User) => activateUser(deps, caller, user.id),
    undo: AdminDisableUserCommand,
  },
  {
    name: 'a deactivation: the login is enabled again',
    functions: {
      deactivateUser: ROUTES.deactivateUser.directory ?? [],
      bulkUsers: ROUTES.bulkUsers.directory ?? [],
      jobWorker: JOB_NEEDS.jobWorker.directory,
      scim: SCIM_DIRECTORY,
    },
    user: aUser({ status: 'active', cognitoSub: 'sub-1' }),
    run: (deps: Deps, user: User) => deactivateUser(deps, caller, user.id),
    undo: AdminEnableUserCommand,
  },
  {
    name: 'an archiving: the login is enabled again',
    functions: {
      archiveUser: ROUTES.archiveUser.directory ?? [],
      bulkUsers: ROUTES.bulkUsers.directory ?? [],
      jobWorker: JOB_NEEDS.jobWorker.directory,
      scim: SCIM_DIRECTORY,
    },
    user: aUser({ status: 'active', cognitoSub: 'sub-1' }),
    run: (deps: Deps, user: User) => archiveUser(deps, caller, user.id),
    undo: AdminEnableUserCommand,
  },
];

beforeEach(() => {
  cognito.reset();
  cognito.resolves({});
  cognito.on(AdminCreateUserCommand).resolves({ User: { Attributes: [{ Name: 'sub', Value: 'sub-new' }] } });
});

describe('a refused profile write undoes the login change, with the operations each function declares', () => {
  it.each(
    CASES.flatMap((c) =>
      Object.entries(c.functions).map(([id, operations]) => [c.name, id, operations, c] as const),
    ),
  )('%s (%s)', async (_name, _id, operations, c) => {
    await expect(c.run(refusingDeps(c.user, operations), c.user)).rejects.toThrow(VersionConflict);
    expect(cognito).toHaveReceivedCommandTimes(c.undo, 1);
  });
});
