// A tenant's registry record with its pool's signing keys: fetched once, when the tenant is registered, so no
// function fetches them on its cold start (lambdas/http/token-verifier.ts starts from the record's keys).
import type { Fetcher } from 'aws-jwt-verify/https';
import { JwksSchema, type TenantRecordInput } from '#domain/tenant.ts';
import { logger } from './logger.ts';

/**
 * The record with the JWKS its issuer serves now. Without them when they cannot be read (the pool not
 * reachable from here): registering does not fail for it, each instance then fetches them on its first token.
 */
export async function withSigningKeys(
  record: TenantRecordInput,
  fetcher: Fetcher,
): Promise<TenantRecordInput> {
  const { jwks: _stale, ...rest } = record;
  try {
    const body = await fetcher.fetch(`${record.issuer}/.well-known/jwks.json`);
    return { ...rest, jwks: JwksSchema.parse(JSON.parse(new TextDecoder().decode(body))) };
  } catch (error) {
    logger.warn('Signing keys not registered: each instance fetches them on its first token', {
      tenant: record.id,
      error: String(error),
    });
    return rest;
  }
}
