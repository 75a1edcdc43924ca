// `npm run token -- <tenant> [email password]`: signs in on the running offline backend and prints an ID token.
import { readFileSync } from 'node:fs';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Environment } from '#local/runtime.ts';

const [tenantId = 'acme', email, password] = process.argv.slice(2);
// The backend started with `npm start -- --data-dir DIR` describes itself in DIR: GATEHOUSE_DATA_DIR=DIR.
const env = JSON.parse(
  readFileSync(`${process.env.GATEHOUSE_DATA_DIR ?? '.local'}/environment.json`, 'utf8'),
) as Environment;
const tenant = env.tenants.find((t) => t.id === tenantId);
if (!tenant) {
  console.error(`No tenant ${tenantId}; running: ${env.tenants.map((t) => t.id).join(', ')}`);
  process.exit(2);
}
const cognito = new CognitoIdentityProviderClient({
  endpoint: env.endpoints.cognito,
  region: env.region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const result = await cognito.send(
  new InitiateAuthCommand({
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: tenant.clientId,
    AuthParameters: { USERNAME: email ?? tenant.admin.email, PASSWORD: password ?? tenant.admin.password },
  }),
);
if (!result.AuthenticationResult?.IdToken) {
  console.error(`Sign-in needs more: ${result.ChallengeName ?? 'unknown challenge'}`);
  process.exit(1);
}
console.log(result.AuthenticationResult.IdToken);
