// `npm start`: runs the whole backend offline, on loopback, until Ctrl-C.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startGatehouse } from '#local/runtime.ts';

const { values } = parseArgs({
  options: {
    reset: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.local' },
  },
});

const dataDir = resolve(values['data-dir']);
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const gatehouse = await startGatehouse({
  dataDir,
  reset: values.reset,
  ports: {
    api: port('PORT', 3000),
    dynamodb: port('DYNAMODB_PORT', 8000),
    cognito: port('COGNITO_PORT', 9229),
    ses: port('SES_PORT', 8005),
    lambda: port('LAMBDA_PORT', 9001),
    app: port('APP_PORT', 3001),
  },
});
const env = gatehouse.environment;
const file = join(dataDir, 'environment.json');
writeFileSync(file, `${JSON.stringify(env, null, 2)}\n`);

const [first] = env.tenants;
console.log(`
Gatehouse is running offline.
  API        ${env.apiUrl}   (health: ${env.apiUrl}/health)
  Mailbox    ${env.mailboxUrl}   (every mail as JSON: ${env.mailboxUrl}/store)
  Cognito    ${env.endpoints.cognito}
  DynamoDB   ${env.endpoints.dynamodb}
  Described  ${file}

Tenants and their administrators:
${env.tenants.map((t) => `  ${t.id.padEnd(8)} ${t.admin.email} / ${t.admin.password}   (pool ${t.userPoolId}, client ${t.clientId})`).join('\n')}

Each tenant's login page (the welcome mail links to it; you land in the local app, ${env.appUrl}):
${env.tenants.map((t) => `  ${t.id.padEnd(8)} ${t.loginUrl}`).join('\n')}

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
