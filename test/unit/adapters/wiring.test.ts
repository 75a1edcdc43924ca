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
    });
    expect(deps.jobs).toBeInstanceOf(DynamoJobStore);
    expect(deps.idempotency).toBeInstanceOf(DynamoIdempotencyStore);
    expect(deps.scimTokens).toBeInstanceOf(DynamoScimTokenStore);
    expect(deps.scimClients).toBeInstanceOf(DynamoScimClientStore);
    expect(deps.mailer).toBeInstanceOf(SesMailer);
  });

  it('answers a use of an undeclared store or client with an error naming it, before any call', async () => {
    const deps = createDeps(tables, { clients: [], stores: [] });
    expect(() => deps.jobs.get('acme', 'j')).toThrow('does not declare the jobs store it uses (get)');
    expect(() => deps.idempotency.release({} as never)).toThrow('the idempotency store');
    expect(() => deps.scimTokens.list('acme')).toThrow('the scimTokens store');
    expect(() => deps.users.search('acme', { limit: 1 })).toThrow('the search store');
    expect(() => deps.directory.createLogin({} as never, {} as never)).toThrow('the cognito client');
    expect(() => deps.mailer.send({} as never, 'a@example.com', {} as never)).toThrow('the ses client');
  });

  it("gives SCIM's OAuth clients only to a function that declares them and Cognito's client", () => {
    const without = createDeps(tables, { clients: ['cognito'], stores: [] });
    expect(() => without.oauthClients.deleteClient({} as never, 'c')).toThrow('the oauthClients store');
    const withClients = createDeps(tables, { clients: ['cognito'], stores: ['oauthClients'] });
    expect(withClients.oauthClients.constructor.name).toBe('CognitoOAuthClients');
  });
});
