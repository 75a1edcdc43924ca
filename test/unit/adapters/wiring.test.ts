// The composition root builds what a function declares and nothing else: a port of a client or store it does not
// declare fails loudly when used, naming what is missing (the bundling leaves those out altogether).
import { describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore } from '#adapters/dynamo-idempotency-store.ts';
import { DynamoJobStore } from '#adapters/dynamo-job-store.ts';
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
      stores: ['jobs', 'idempotency', 'scimTokens', 'scimClients'],
      directory: [],
    });
    expect(deps.jobs).toBeInstanceOf(DynamoJobStore);
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
    expect(() => deps.directory.createLogin({} as never, {} as never)).toThrow('the cognito client');
    expect(() => deps.mailer.send({} as never, 'a@example.com', {} as never)).toThrow('the ses client');
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
