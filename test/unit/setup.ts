// Unit tests: the functions' environment of a deployed stack, with JWKS answered from the test key.
import 'aws-sdk-client-mock-vitest/extend';
import { vi } from 'vitest';
import { testJwks } from '#test/support/tokens.ts';
import { UNIT_TENANTS } from '#test/unit/fixtures.ts';

Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'unit',
  AWS_SECRET_ACCESS_KEY: 'unit',
  PROFILES_TABLE: 'gatehouse-profiles',
  HISTORY_TABLE: 'gatehouse-history',
  JOBS_TABLE: 'gatehouse-jobs',
  TENANTS: JSON.stringify(UNIT_TENANTS),
  TENANT_NAMES: JSON.stringify(Object.fromEntries(UNIT_TENANTS.map((t) => [t.id, t.name]))),
  LICENCE_REQUIRED_TENANTS: JSON.stringify(['globex']),
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});

const realFetch = globalThis.fetch;
vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
  const url = String(input instanceof Request ? input.url : input);
  if (UNIT_TENANTS.some((t) => url === `${t.issuer}/.well-known/jwks.json`)) {
    return new Response(JSON.stringify(testJwks), { headers: { 'content-type': 'application/json' } });
  }
  return realFetch(input, init);
});
