// Use cases: the OAuth clients a tenant's directory provisions users with, by the client-credentials grant of the
// tenant's own pool. Cognito holds the secret (shown once); Gatehouse holds which clients are the tenant's SCIM
// clients, so a revoked one is refused at once, whatever tokens it still holds.
import { ScimClientLimit, ScimClientNotFound } from '#domain/errors.ts';
import type { Tenant } from '#domain/tenant.ts';
import type { Actor } from '#domain/user.ts';
import { writeOrUndo } from './changes.ts';
import type { Caller, Deps, ScimClient } from './ports.ts';

/** The resource server every tenant pool has (lib/tenant-pool.ts), and its one scope: SCIM provisioning. */
export const SCIM_RESOURCE_SERVER = 'gatehouse';
export const SCIM_SCOPE_NAME = 'scim';
/** As Cognito writes it in a token's `scope`: `<resource server>/<scope>`. */
export const SCIM_SCOPE = `${SCIM_RESOURCE_SERVER}/${SCIM_SCOPE_NAME}`;

/** OAuth clients a tenant may hold at once, as for tokens: one per directory connection, with room to rotate. */
export const MAX_SCIM_CLIENTS = 20;

export type ScimClientView = ScimClient;

/** What the administrator configures in the directory: shown this once (Cognito keeps the secret). */
export interface ScimClientCreated extends ScimClientView {
  clientId: string;
  clientSecret: string;
  scope: string;
  /** The tenant pool's token endpoint, when its registry record names it. */
  tokenUrl?: string;
}

/**
 * A new app client of the tenant's pool, allowed the client-credentials grant for the SCIM scope only, then
 * its record. A refused record (the tenant's limit reached meanwhile) deletes the app client again; one left
 * by a fault that may or may not have written the record is refused by SCIM unless its record exists.
 */
export async function createScimClient(deps: Deps, caller: Caller, name: string): Promise<ScimClientCreated> {
  const { tenant } = caller;
  // Checked before Cognito is asked, so a tenant at its limit costs no app client; the record's own
  // transaction holds the limit under concurrency.
  if ((await deps.scimClients.list(tenant.id)).length >= MAX_SCIM_CLIENTS) {
    throw new ScimClientLimit(MAX_SCIM_CLIENTS);
  }
  // Cognito's client names take few characters: the tenant's name for it stays in the record.
  const { clientId, clientSecret } = await deps.oauthClients.createClientCredentialsClient(
    tenant,
    `gatehouse-scim-${deps.newId().slice(0, 8)}`,
    [SCIM_SCOPE],
  );
  const record: ScimClient = {
    id: clientId,
    name,
    createdAt: deps.now().toISOString(),
    createdBy: caller.actor,
  };
  await writeOrUndo(
    () => deps.scimClients.create(tenant.id, record, MAX_SCIM_CLIENTS),
    () => deps.oauthClients.deleteClient(tenant, clientId),
  );
  return {
    ...record,
    clientId,
    clientSecret,
    scope: SCIM_SCOPE,
    ...(tenant.tokenUrl ? { tokenUrl: tenant.tokenUrl } : {}),
  };
}

export async function listScimClients(deps: Deps, caller: Caller): Promise<ScimClientView[]> {
  const clients = await deps.scimClients.list(caller.tenant.id);
  return clients.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * Revoked at once: the app client is deleted (no new token), then its record (the tokens it holds are
 * refused from the next request). A retry after a fault between the two finds the client gone and finishes.
 * Only a client of the caller's tenant is found: another tenant's is a 404, exactly like one that never was.
 */
export async function revokeScimClient(deps: Deps, caller: Caller, clientId: string): Promise<void> {
  const { tenant } = caller;
  if (!(await deps.scimClients.get(tenant.id, clientId))) throw new ScimClientNotFound();
  await deps.oauthClients.deleteClient(tenant, clientId);
  if (!(await deps.scimClients.revoke(tenant.id, clientId))) throw new ScimClientNotFound();
}

/** The tenant's SCIM client record for a verified access token's client, or undefined (unknown or revoked). */
export async function scimClientOf(
  deps: Pick<Deps, 'scimClients'>,
  tenant: Tenant,
  clientId: string,
): Promise<ScimClient | undefined> {
  return deps.scimClients.get(tenant.id, clientId);
}

/** How history names a change made by the client. */
export const scimClientActor = (client: ScimClient): Actor => ({
  id: `scim:${client.id}`,
  name: `SCIM: ${client.name}`,
});
