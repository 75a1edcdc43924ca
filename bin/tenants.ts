// `npm run tenants -- list | add <file> | retire <id> | purge <id> --yes-delete-everything [--offline]`: the
// platform team's tenant command, against a deployment (AWS credentials as usual) or, with --offline, the backend
// `npm start` runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoTenantRegistry } from '#adapters/dynamo-tenant-registry.ts';
import { purgePorts } from '#adapters/purge-ports.ts';
import { TABLES } from '#adapters/table-definitions.ts';
import { loadTenantsConfig, TenantConfigSchema, TenantsConfigSchema } from '#config/tenants.ts';
import type { Tenant } from '#domain/tenant.ts';
import { tenantStackName } from '#lib/tenant-stack.ts';
import type { Environment } from '#local/runtime.ts';
import { PurgeRefused, type PurgeReport, purgeTenant } from '#services/purge-tenant.ts';

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

/** Against a deployment: the registry from the stateful stack's outputs; an add deploys the tenant's stack. */
async function deployed() {
  const tenantsFile = resolve(values['tenants-file']);
  const config = loadTenantsConfig(tenantsFile);
  process.env.AWS_REGION ??= config.region;
  const { Stacks } = await new CloudFormationClient({}).send(
    new DescribeStacksCommand({ StackName: values.stack }),
  );
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const tableName = outputs.tenantsTable;
  if (!tableName) throw new Error(`Stack ${values.stack} has no output tenantsTable: deploy it first`);
  const registry = new DynamoTenantRegistry({ client: new DynamoDBClient({}), tableName, cacheSeconds: 0 });

  if (command === 'list') show(await registry.list());
  if (command === 'add') {
    const tenant = TenantConfigSchema.parse(readJson(argument as string));
    if (config.tenants.some((t) => t.id === tenant.id)) {
      throw new Error(
        `${tenant.id} is in ${tenantsFile} already: deploy its stack, ${tenantStackName(tenant.id)}`,
      );
    }
    // Written first, checked as a whole: the file stays the deployment's source of truth.
    const next = TenantsConfigSchema.parse({ ...config, tenants: [...config.tenants, tenant] });
    writeFileSync(tenantsFile, `${JSON.stringify(next, null, 2)}\n`);
    // Its own stack, then the console's config.json that lists it: no other tenant's stack, and no function
    // of the API, is redeployed.
    const deploy = spawnSync(
      'npx',
      [
        'cdk',
        'deploy',
        tenantStackName(tenant.id),
        'Gatehouse-ConsoleFiles',
        '--exclusively',
        '--require-approval',
        'never',
        '-c',
        `gatehouse:tenantsFile=${tenantsFile}`,
      ],
      { stdio: 'inherit' },
    );
    if (deploy.status !== 0)
      throw new Error(`cdk deploy ${tenantStackName(tenant.id)} Gatehouse-ConsoleFiles failed`);
    const registered = await registry.byId(tenant.id);
    console.log(`Registered ${tenant.id}: ${registered?.status}, pool ${registered?.userPoolId}.`);
    console.log(
      `Its first administrator: npm run first-admin -- ${tenant.id} <email> <first name> <last name>`,
    );
  }
  if (command === 'purge') await purgeDeployed(config, tenantsFile, outputs);
  if (command === 'retire') {
    const retired = await registry.retire(argument as string);
    if (!retired) throw new Error(`No tenant ${argument} in the registry`);
    console.log(
      `Retired ${retired.id}: sign-in and the API refuse its users within 30 s; its pool and data are kept (README "Retiring and purging a tenant").`,
    );
  }
}

/**
 * A deployed tenant is purged once its stack is destroyed (so no deploy recreates what the purge deletes) and its
 * entry is out of the tenants file (so no `cdk deploy --all` brings it back as a new tenant).
 */
async function purgeDeployed(
  config: ReturnType<typeof loadTenantsConfig>,
  tenantsFile: string,
  outputs: Record<string, string | undefined>,
) {
  const id = argument as string;
  if (config.tenants.some((t) => t.id === id)) {
    throw new Error(
      `${id} is still in ${tenantsFile}: take it out, then npx cdk destroy ${tenantStackName(id)}`,
    );
  }
  const stack = await new CloudFormationClient({})
    .send(new DescribeStacksCommand({ StackName: tenantStackName(id) }))
    .then((r) => r.Stacks?.[0])
    .catch((error: unknown) => {
      // CloudFormation's answer for a stack that does not exist (a deleted one included).
      if ((error as { name?: string }).name === 'ValidationError') return undefined;
      throw error;
    });
  if (stack && stack.StackStatus !== 'DELETE_COMPLETE') {
    throw new Error(
      `${tenantStackName(id)} is ${stack.StackStatus}: npx cdk destroy ${tenantStackName(id)} first`,
    );
  }
  const tables = Object.fromEntries(TABLES.map((t) => [t.envVar, outputs[`${t.name}Table`]]));
  const ports = purgePorts(
    { dynamo: new DynamoDBClient({}), cognito: new CognitoIdentityProviderClient({}) },
    tables,
  );
  purged(await purgeTenant(ports, id));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(resolve(file), 'utf8'));
}
