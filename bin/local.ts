// `npm start`: runs the whole backend offline, on loopback, until Ctrl-C.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startGatehouse } from '#local/runtime.ts';

const { values } = parseArgs({
  options: {
    reset: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.local' },
    /** Generated tenants (t0001…) besides the configured ones, each with a pool and an administrator. */
    tenants: { type: 'string', default: '0' },
  },
});
const generated = Number(values.tenants);
if (!Number.isInteger(generated) || generated < 0 || generated > 1000) {
  console.error('--tenants takes a whole number from 0 to 1000');
  process.exit(2);
}

const dataDir = resolve(values['data-dir']);
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const file = join(dataDir, 'environment.json');
const describe = (environment: object) => writeFileSync(file, `${JSON.stringify(environment, null, 2)}\n`);
const gatehouse = await startGatehouse({
  dataDir,
  reset: values.reset,
  generatedTenants: generated,
  // A tenant added while running (npm run tenants -- add) appears in environment.json at once.
  onEnvironmentChange: describe,
  console: true,
  ports: {
    api: port('PORT', 3000),
    dynamodb: port('DYNAMODB_PORT', 8000),
    cognito: port('COGNITO_PORT', 9229),
    ses: port('SES_PORT', 8005),
    lambda: port('LAMBDA_PORT', 9001),
    console: port('CONSOLE_PORT', 5173),
    app: port('APP_PORT', 3001),
  },
});
const env = gatehouse.environment;
describe(env);

const [first] = env.tenants;
console.log(`
Gatehouse is running offline.
  Console    ${env.consoleUrl}   (${env.tenants.map((t) => `${env.consoleUrl}/t/${t.id}/users`).join(', ')})
  API        ${env.apiUrl}   (health: ${env.apiUrl}/health)
  Mailbox    ${env.mailboxUrl}   (every mail as JSON: ${env.mailboxUrl}/store)
  Cognito    ${env.endpoints.cognito}
  DynamoDB   ${env.endpoints.dynamodb}
  Described  ${file}

Tenants and their administrators${env.tenants.length > 10 ? ` (the first 10 of ${env.tenants.length}; all in ${file})` : ''}:
${env.tenants
  .slice(0, 10)
  .map(
    (t) =>
      `  ${t.id.padEnd(8)} ${t.admin.email} / ${t.admin.password}   (pool ${t.userPoolId}, client ${t.clientId})`,
  )
  .join('\n')}
Add or retire tenants: npm run tenants -- list | add <file> | retire <id>

Each tenant's login page (the welcome mail links to it; you land in the local app, ${env.appUrl}):
${env.tenants.map((t) => `  ${t.id.padEnd(8)} ${t.loginUrl}`).join('\n')}

Single sign-on (the login page's "Sign in with …"): any email of the domain, with the provider's one password:
${env.tenants.flatMap((t) => (t.sso ? [`  ${t.id.padEnd(8)} ${t.sso.name}: *@${t.sso.domain} / ${t.sso.password}   (${t.sso.issuer})`] : [])).join('\n')}

Sign in and call the API:
  TOKEN=$(npm run --silent token -- ${first?.id ?? 'acme'})
  curl -H "Authorization: Bearer $TOKEN" ${env.apiUrl}/me

Ctrl-C stops everything.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await gatehouse.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
