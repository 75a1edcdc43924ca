// The SCIM client use cases over fake ports: the order of the Cognito and record steps, and what a failure undoes.
import { describe, expect, it, vi } from 'vitest';
import { ScimClientLimit, ScimClientNotFound } from '#domain/errors.ts';
import type { Caller, Deps, ScimClient } from '#services/ports.ts';
import { createScimClient, MAX_SCIM_CLIENTS, revokeScimClient, SCIM_SCOPE } from '#services/scim-clients.ts';
import { aCaller } from '#test/unit/fixtures.ts';

const admin = aCaller('administrator', { permission: 'scim.manage' });
const caller: Caller = {
  ...admin,
  tenant: { ...admin.tenant, tokenUrl: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token' },
};

function fakeDeps(records: ScimClient[] = [], create: (c: ScimClient) => Promise<void> = async () => {}) {
  const steps: string[] = [];
  const deps = {
    scimClients: {
      list: async () => records,
      get: async (_t: string, id: string) => records.find((r) => r.id === id),
      create: vi.fn(async (_t: string, c: ScimClient) => {
        steps.push('record');
        await create(c);
      }),
      revoke: vi.fn(async () => {
        steps.push('record deleted');
        return true;
      }),
    },
    oauthClients: {
      createClientCredentialsClient: vi.fn(async () => {
        steps.push('app client');
        return { clientId: 'newclient1', clientSecret: 's3cret' };
      }),
      deleteClient: vi.fn(async () => {
        steps.push('app client deleted');
      }),
    },
    now: () => new Date('2026-01-01T00:00:00Z'),
    newId: () => '0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  } as unknown as Deps;
  return { deps, steps };
}

const aClient = (id: string): ScimClient => ({
  id,
  name: id,
  createdAt: '2026-01-01T00:00:00Z',
  createdBy: { id: 'admin', name: 'Admin' },
});

describe('createScimClient', () => {
  it('makes the app client for the SCIM scope alone, then its record; the secret only in the answer', async () => {
    const { deps, steps } = fakeDeps();
    const created = await createScimClient(deps, caller, 'Okta (prod)');
    expect(steps).toEqual(['app client', 'record']);
    expect(deps.oauthClients.createClientCredentialsClient).toHaveBeenCalledWith(
      caller.tenant,
      expect.stringMatching(/^gatehouse-scim-[\w-]+$/),
      [SCIM_SCOPE],
    );
    expect(vi.mocked(deps.scimClients.create).mock.calls[0]?.[1]).toEqual({
      id: 'newclient1',
      name: 'Okta (prod)',
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: caller.actor,
    });
    expect(created).toMatchObject({
      clientId: 'newclient1',
      clientSecret: 's3cret',
      tokenUrl: caller.tenant.tokenUrl,
    });
  });

  it('asks Cognito for nothing when the tenant holds its most clients already', async () => {
    const { deps, steps } = fakeDeps(Array.from({ length: MAX_SCIM_CLIENTS }, (_, i) => aClient(`c${i}`)));
    await expect(createScimClient(deps, caller, 'One more')).rejects.toBeInstanceOf(ScimClientLimit);
    expect(steps).toEqual([]);
  });

  it('deletes the app client again when its record is refused (the limit reached meanwhile)', async () => {
    const { deps, steps } = fakeDeps([], async () => {
      throw new ScimClientLimit(MAX_SCIM_CLIENTS);
    });
    await expect(createScimClient(deps, caller, 'Raced')).rejects.toBeInstanceOf(ScimClientLimit);
    expect(steps).toEqual(['app client', 'record', 'app client deleted']);
  });

  it('keeps the app client when the record write may have happened (an AWS fault), SCIM refusing it without one', async () => {
    const fault = Object.assign(new Error('Service unavailable'), { name: 'InternalServerError' });
    const { deps, steps } = fakeDeps([], async () => {
      throw fault;
    });
    await expect(createScimClient(deps, caller, 'Faulted')).rejects.toBe(fault);
    expect(steps).toEqual(['app client', 'record']);
  });
});

describe('revokeScimClient', () => {
  it('deletes the app client first, then the record', async () => {
    const { deps, steps } = fakeDeps([aClient('mine1')]);
    await revokeScimClient(deps, caller, 'mine1');
    expect(steps).toEqual(['app client deleted', 'record deleted']);
  });

  it("touches nothing for a client that is not the tenant's", async () => {
    const { deps, steps } = fakeDeps([aClient('mine1')]);
    await expect(revokeScimClient(deps, caller, 'theirs1')).rejects.toBeInstanceOf(ScimClientNotFound);
    expect(steps).toEqual([]);
  });
});
