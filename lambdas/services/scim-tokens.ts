// Use cases: the bearer tokens a tenant's directory provisions users with. Shown once, kept only as a hash.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ScimTokenNotFound } from '#domain/errors.ts';
import { type Tenant, TenantIdSchema } from '#domain/tenant.ts';
import type { Actor } from '#domain/user.ts';
import type { Caller, Deps, ScimToken } from './ports.ts';

/** Tokens a tenant may hold at once: one per directory connection, with room to rotate. */
export const MAX_SCIM_TOKENS = 20;

const PREFIX = 'gscim';

/** What a token's holder sees of it: never the secret or its hash. */
export interface ScimTokenView {
  id: string;
  name: string;
  createdAt: string;
  createdBy: Actor;
  lastUsedAt?: string;
}

export const viewOf = ({ hash: _secret, ...view }: ScimToken): ScimTokenView => view;

/**
 * A new token: `gscim.<tenant>.<token id>.<secret>`. The tenant and id say where its record is (one read, under
 * the tenant's own key); only the secret's hash is kept, so the token itself is shown this once.
 */
export async function createScimToken(
  deps: Deps,
  caller: Caller,
  name: string,
): Promise<ScimTokenView & { token: string }> {
  const secret = randomBytes(32).toString('base64url');
  const record: ScimToken = {
    id: deps.newId(),
    name,
    hash: hashOf(secret),
    createdAt: deps.now().toISOString(),
    createdBy: caller.actor,
  };
  await deps.scimTokens.create(caller.tenant.id, record, MAX_SCIM_TOKENS);
  return { ...viewOf(record), token: [PREFIX, caller.tenant.id, record.id, secret].join('.') };
}

export async function listScimTokens(deps: Deps, caller: Caller): Promise<ScimTokenView[]> {
  const tokens = await deps.scimTokens.list(caller.tenant.id);
  return tokens.map(viewOf).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Revoked at once: the next request with it is refused. */
export async function revokeScimToken(deps: Deps, caller: Caller, tokenId: string): Promise<void> {
  if (!(await deps.scimTokens.revoke(caller.tenant.id, tokenId))) throw new ScimTokenNotFound();
}

/**
 * The tenant and token a bearer token proves, or undefined. The tenant named in the token only says where to
 * look: it must be a tenant of the registry, and the record under that tenant must hold the hash of this very
 * secret, so a token never reaches another tenant's data.
 */
export async function authenticateScimToken(
  deps: Pick<Deps, 'scimTokens' | 'now'>,
  bearer: string,
  tenantOf: (tenantId: string) => Promise<Tenant | undefined>,
): Promise<{ tenant: Tenant; token: ScimToken } | undefined> {
  const [prefix, tenantId, tokenId, secret, ...rest] = bearer.split('.');
  if (prefix !== PREFIX || !tenantId || !tokenId || !secret || rest.length > 0) return undefined;
  if (!TenantIdSchema.safeParse(tenantId).success || !/^[0-9a-f-]{36}$/.test(tokenId)) return undefined;
  const tenant = await tenantOf(tenantId);
  if (!tenant) return undefined;
  const token = await deps.scimTokens.get(tenant.id, tokenId);
  if (!token) return undefined;
  const expected = Buffer.from(token.hash, 'base64url');
  const actual = Buffer.from(hashOf(secret), 'base64url');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  return { tenant, token };
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('base64url');
