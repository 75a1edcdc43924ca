// `npm run tenants -- list | add <file> | retire <id> | purge <id> --yes-delete-everything [--offline]`: the
// platform team's tenant command, against a deployment (AWS credentials as usual) or, with --offline, the backend
// `npm start` runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadTenantsConfig } from '#config/tenants.ts';
import type { Tenant } from '#domain/tenant.ts';
import { TenantPlatform } from '#lib/tenant-platform.ts';
import type { Environment } from '#local/runtime.ts';
import { PurgeRefused, type PurgeReport } from '#services/purge-tenant.ts';

const CONFIRM = 'yes-delete-everything';
const USAGE = `usage: npm run tenants -- list | add <tenant.json> | retire <id> | purge <id> --${CONFIRM}
  purge                  deletes a retired tenant's pool, all its data and its registry record, for good
                         (deployed: its stack destroyed and its entry out of the tenants file first)
  --offline              the backend npm start runs (its .local/environment.json), not a deployment
  --data-dir <dir>       where npm start keeps it (default .local)
  --tenants-file <file>  the deployment's tenants configuration (default config/tenants.json)
  --stack <name>         the deployment's stateful stack (default Gatehouse-Stateful)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    offline: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.local' },
    'tenants-file': { type: 'string', default: 'config/tenants.json' },
    stack: { type: 'string', default: 'Gatehouse-Stateful' },
    [CONFIRM]: { type: 'boolean', default: false },
  },
});
const [command, argument] = positionals;
if (
  !(
    command === 'list' ||
    ((command === 'add' || command === 'retire' || command === 'purge') &&
      argument &&
      positionals.length === 2)
  )
) {
  console.error(USAGE);
  process.exit(2);
}
if (command === 'purge' && !values[CONFIRM]) {
  console.error(
    `Purging ${argument} deletes its user pool (every login), every profile, role and history entry, and its registry record. Nothing can be restored but from the tables' point-in-time recovery (35 days; the pool: within 14 days, by AWS Support). Run again with --${CONFIRM} to do it.`,
  );
  process.exit(2);
}

const purged = (report: PurgeReport) =>
  console.log(
    `Purged ${report.tenant.id}: pool ${report.tenant.userPoolId} ${report.pool === 'deleted' ? 'deleted' : 'gone already'}, ${report.items} items deleted, registry record removed.`,
  );

const show = (tenants: Pick<Tenant, 'id' | 'status' | 'name' | 'userPoolId'>[]) => {
  for (const t of tenants)
    console.log(`${t.id.padEnd(14)} ${t.status.padEnd(8)} ${t.userPoolId.padEnd(28)} ${t.name}`);
  console.log(`${tenants.length} tenants, ${tenants.filter((t) => t.status === 'active').length} active`);
};

try {
  if (values.offline) await offline();
  else await deployed();
} catch (error) {
  // A refused purge (unknown or active tenant) changed nothing: its message says what to do.
  if (!(error instanceof PurgeRefused)) throw error;
  console.error(error.message);
  process.exit(1);
}

/** Against `npm start`: its platform endpoint creates the pool, the registry record and an administrator. */
async function offline() {
  const file = `${values['data-dir']}/environment.json`;
  if (!existsSync(file)) throw new Error(`${file} not found: is npm start running?`);
  const { tenantsUrl } = JSON.parse(readFileSync(file, 'utf8')) as Environment;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${tenantsUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };
  if (command === 'list') show((await call('GET', '')).tenants as Tenant[]);
  if (command === 'add') {
    const added = (await call('POST', '', readJson(argument as string))) as Environment['tenants'][number];
    console.log(`Added ${added.id}: pool ${added.userPoolId}, client ${added.clientId}`);
    console.log(`Its administrator: ${added.admin.email} / ${added.admin.password}`);
  }
  if (command === 'retire') {
    await call('POST', '/retire', { id: argument });
    console.log(`Retired ${argument}: sign-in and the API refuse its users; its pool and data are kept.`);
  }
  if (command === 'purge') purged((await call('POST', '/purge', { id: argument })) as unknown as PurgeReport);
}

/** Against a deployment: the registry and tables from the stateful stack's outputs; an add deploys the tenant's stack. */
async function deployed() {
  const tenantsFile = resolve(values['tenants-file']);
  process.env.AWS_REGION ??= loadTenantsConfig(tenantsFile).region;
  const platform = new TenantPlatform(
    {
      cloudFormation: new CloudFormationClient({}),
      dynamo: new DynamoDBClient({}),
      cognito: new CognitoIdentityProviderClient({}),
      cdk: (args) => spawnSync('npx', ['cdk', ...args], { stdio: 'inherit' }).status,
    },
    { tenantsFile, statefulStack: values.stack },
  );
  if (command === 'list') show(await platform.list());
  if (command === 'add') {
    const registered = await platform.add(readJson(argument as string));
    console.log(`Registered ${registered?.id}: ${registered?.status}, pool ${registered?.userPoolId}.`);
    console.log(
      `Its first administrator: npm run first-admin -- ${registered?.id} <email> <first name> <last name>`,
    );
  }
  if (command === 'retire') {
    const retired = await platform.retire(argument as string);
    if (!retired) throw new Error(`No tenant ${argument} in the registry`);
    console.log(
      `Retired ${retired.id}: sign-in and the API refuse its users within 30 s; its pool and data are kept (README "Retiring and purging a tenant").`,
    );
  }
  if (command === 'purge') purged(await platform.purge(argument as string));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(resolve(file), 'utf8'));
}
