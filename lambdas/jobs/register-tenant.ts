// The tenant stacks' custom resource: writes a tenant's registry record when its stack deploys, retires it
// when its stack is deleted (the pool is retained; the record stays, retired, until a purge).

import type { Fetcher } from 'aws-jwt-verify/https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { RegistryWriterEnvironmentSchema, readEnvironment } from '#adapters/environment.ts';
import { logger } from '#adapters/logger.ts';
import { withSigningKeys } from '#adapters/signing-keys.ts';
import { createTenantRegistry } from '#adapters/wiring.ts';
import { jwksFetcher } from '#http/token-verifier.ts';

const env = readEnvironment(RegistryWriterEnvironmentSchema);
// Never cached: each deploy reads the record it is about to replace.
const registry = createTenantRegistry(env, 0);

export interface RegistryRecordProperties {
  /** The record as JSON: CloudFormation hands custom resources every number and boolean as a string. */
  Record: string;
}

/** CloudFormation waits for this answer at the pre-signed ResponseURL, not for the function's return. */
export async function handler(
  event: CloudFormationCustomResourceEvent,
  respond: (url: string, body: string) => Promise<void> = put,
  keys: Fetcher = jwksFetcher,
): Promise<void> {
  const physicalId = `tenant:${tenantIdOf(event)}`;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason: string | undefined;
  try {
    const record = JSON.parse((event.ResourceProperties as unknown as RegistryRecordProperties).Record);
    if (event.RequestType === 'Delete') {
      // A failed create is rolled back with a Delete of a record that may never have been written.
      if (event.PhysicalResourceId === physicalId) await registry.retire(record.id);
    } else {
      // The pool's signing keys go into the record, so no function fetches them on its cold start.
      const tenant = await registry.put(await withSigningKeys(record, keys));
      logger.info('Tenant registered', {
        tenant: tenant.id,
        status: tenant.status,
        keys: Boolean(tenant.jwks),
      });
    }
  } catch (error) {
    status = 'FAILED';
    reason = error instanceof Error ? error.message : String(error);
    logger.error('Tenant registration failed', { error: error as Error });
  }
  await respond(
    event.ResponseURL,
    JSON.stringify({
      Status: status,
      ...(reason ? { Reason: reason.slice(0, 1000) } : {}),
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    }),
  );
}

function tenantIdOf(event: CloudFormationCustomResourceEvent): string {
  try {
    const record = JSON.parse((event.ResourceProperties as unknown as RegistryRecordProperties).Record) as {
      id?: unknown;
    };
    return typeof record.id === 'string' ? record.id : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function put(url: string, body: string): Promise<void> {
  // The pre-signed S3 URL takes an empty content type.
  const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response answered ${response.status}`);
}
