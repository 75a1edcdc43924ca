// The composition root builds what a function declares and nothing else: a port of a client or store it does not
// declare fails loudly when used, naming what is missing (the bundling leaves those out altogether).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore } from '#adapters/dynamo-idempotency-store.ts';
import { DynamoJobStore, DynamoJobWork } from '#adapters/dynamo-job-store.ts';
import { DynamoScimClientStore, DynamoScimTokenStore } from '#adapters/dynamo-scim-token-store.ts';
import { SesMailer } from '#adapters/ses-mailer.ts';
import { createDeps } from '#adapters/wiring.ts';

const tables = {
  PROFILES_TABLE: 'profiles',
  HISTORY_TABLE: 'history',
  TENANTS_TABLE: 'tenants',
  JOBS_TABLE: 'jobs',
};

describe('createDeps', () => {
  it('builds the declared stores and client ports', () => {
    const deps = createDeps(tables, {
      clients: ['ses'],
      stores: ['jobs', 'jobWork', 'idempotency', 'scimTokens', 'scimClients'],
      directory: [],
    });
    expect(deps.jobs).toBeInstanceOf(DynamoJobStore);
    expect(deps.jobWork).toBeInstanceOf(DynamoJobWork);
    expect(deps.idempotency).toBeInstanceOf(DynamoIdempotencyStore);
    expect(deps.scimTokens).toBeInstanceOf(DynamoScimTokenStore);
    expect(deps.scimClients).toBeInstanceOf(DynamoScimClientStore);
    expect(deps.mailer).toBeInstanceOf(SesMailer);
  });

  it('answers a use of an undeclared store or client with an error naming it, before any call', async () => {
    const deps = createDeps(tables, { clients: [], stores: [], directory: ['createLogin'] });
    expect(() => deps.jobs.get('acme', 'j')).toThrow('does not declare the jobs store it uses (get)');
    expect(() => deps.idempotency.release({} as never)).toThrow('the idempotency store');
    expect(() => deps.scimTokens.list('acme')).toThrow('the scimTokens store');
    expect(() => deps.users.search('acme', { limit: 1 })).toThrow('the search store');
    expect(() => deps.jobWork.active()).toThrow('does not declare the jobWork store it uses (active)');
    expect(() => deps.directory.createLogin({} as never, {} as never)).toThrow('the cognito client');
    expect(() => deps.mailer.send({} as never, 'a@example.com', {} as never)).toThrow('the ses client');
  });

  it('gives the user and role stores their reads, and each other part of them only where declared', async () => {
    // A client that answers every command with nothing, and names what it was sent.
    const sent: string[] = [];
    const dynamo = {
      send: async (command: object) => {
        sent.push(command.constructor.name);
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    const user = { id: 'u1', email: 'ada@example.com', version: 1 } as never;
    const role = { id: 'auditor', name: 'Auditor', version: 1 } as never;
    const entry = { id: 'e1', userId: 'u1', at: '2026-01-01T00:00:00Z' } as never;

    // The reads by key and the catalogue are every function's: authorisation reads both.
    const reader = createDeps(tables, { clients: [], stores: [], directory: [] }, { dynamo });
    expect(await reader.users.get('acme', 'u1')).toBeUndefined();
    expect(() => reader.users.create('acme', user, entry)).toThrow(
      'does not declare the userWrites store it uses (create)',
    );
    expect(() => reader.users.update('acme', user, user, entry)).toThrow('the userWrites store');
    expect(() => reader.users.touchLogin('acme', 'u1', '2026-01-01T00:00:00Z')).toThrow(
      'the userWrites store',
    );
    expect(() => reader.users.list('acme', { limit: 1 })).toThrow('the userList store it uses (list)');
    expect(() => reader.users.history('acme', 'u1', { limit: 1 })).toThrow(
      'the history store it uses (history)',
    );
    expect(() => reader.roles.delete('acme', role, entry)).toThrow('the roleWrites store it uses (delete)');
    expect(sent).toEqual(['GetCommand']);

    sent.length = 0;
    const writer = createDeps(
      tables,
      { clients: [], stores: ['userWrites', 'userList', 'history', 'roleWrites'], directory: [] },
      { dynamo },
    );
    await writer.users.touchLogin('acme', 'u1', '2026-01-01T00:00:00Z');
    await writer.users.list('acme', { limit: 1 });
    await writer.users.history('acme', 'u1', { limit: 1 });
    await writer.roles.delete('acme', role, entry);
    expect(sent).toEqual(['UpdateCommand', 'QueryCommand', 'QueryCommand', 'TransactWriteCommand']);
  });

  it("gives SCIM's OAuth clients only to a function that declares them and Cognito's client", () => {
    const without = createDeps(tables, { clients: ['cognito'], stores: [], directory: [] });
    expect(() => without.oauthClients.deleteClient({} as never, 'c')).toThrow('the oauthClients store');
    const withClients = createDeps(tables, {
      clients: ['cognito'],
      stores: ['oauthClients'],
      directory: [],
    });
    expect(withClients.oauthClients.constructor.name).toBe('CognitoOAuthClients');
  });

  it('builds only the directory operations the function declares: another one fails, naming it, before any call', async () => {
    const deps = createDeps(tables, {
      clients: ['cognito'],
      stores: [],
      directory: ['disableLogin', 'enableLogin'],
    });
    expect(deps.directory.disableLogin).toBeTypeOf('function');
    expect(deps.directory.enableLogin).toBeTypeOf('function');
    expect(() => deps.directory.createLogin({} as never, {} as never)).toThrow(
      'This function does not declare the directory operation it uses (createLogin)',
    );
    expect(() => deps.directory.deleteLogin({} as never, 'sub')).toThrow(
      'directory operation it uses (deleteLogin)',
    );
    expect(() => deps.directory.changeEmail({} as never, 'sub', 'a@example.com')).toThrow('(changeEmail)');
  });
});
