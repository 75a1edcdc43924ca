// Unit tests: the functions' environment of a deployed stack, with JWKS answered from the test key.
import 'aws-sdk-client-mock-vitest/extend';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  // globex names its application; acme's mails link to its managed login page, read from Cognito.
  SIGN_IN_URLS: JSON.stringify({ globex: 'https://app.globex.example.com/sign-in' }),
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  CURSOR_KEYS_FILE: cursorKeysFile(),
});

/** The page cursors' keys, new for every run, as the offline runtime writes them. */
function cursorKeysFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-unit-')), 'cursor-keys.json');
  writeFileSync(path, JSON.stringify({ current: randomBytes(32).toString('base64url') }));
  return path;
}

const realFetch = globalThis.fetch;
vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
  const url = String(input instanceof Request ? input.url : input);
  if (UNIT_TENANTS.some((t) => url === `${t.issuer}/.well-known/jwks.json`)) {
    return new Response(JSON.stringify(testJwks), { headers: { 'content-type': 'application/json' } });
  }
  return realFetch(input, init);
});
