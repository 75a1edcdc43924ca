// The Gatehouse CDK app: the stateful and stateless stacks for one tenants configuration, wired by typed props.
import { type App, type Environment, Tags } from 'aws-cdk-lib';
import type { TenantsConfig } from '#config/tenants.ts';
import { GatehouseConsoleFilesStack, GatehouseConsoleStack } from './console-hosting.ts';
import { GatehouseStatefulStack } from './stateful-stack.ts';
import { GatehouseStatelessStack } from './stateless-stack.ts';
import { GatehouseTenantStack, type GatehouseTenantStackProps, tenantStackName } from './tenant-stack.ts';

export interface Gatehouse {
  console: GatehouseConsoleStack;
  stateful: GatehouseStatefulStack;
  stateless: GatehouseStatelessStack;
  /** One per tenant, by tenant id. */
  tenants: ReadonlyMap<string, GatehouseTenantStack>;
  consoleFiles: GatehouseConsoleFilesStack;
}

/**
 * `account` may be absent (no credentials, e.g. `npm run synth` on a laptop or in CI): the stacks then
 * leave the account to CloudFormation (AWS::AccountId); the region always comes from the configuration.
 */
export function buildGatehouse(app: App, config: TenantsConfig, account?: string): Gatehouse {
  const env: Environment = { region: config.region, ...(account ? { account } : {}) };
  Tags.of(app).add('application', 'gatehouse');
  // First: the tenants' app clients register its URL as their callback.
  const consoleHosting = new GatehouseConsoleStack(app, 'Gatehouse-Console', {
    env,
    description: 'Gatehouse admin console hosting: a private S3 bucket behind CloudFront',
  });
  const stateful = new GatehouseStatefulStack(app, 'Gatehouse-Stateful', {
    env,
    description: 'Gatehouse data: tables (the tenant registry among them), Cognito triggers, registry writer',
    terminationProtection: true,
  });
  const stateless = new GatehouseStatelessStack(app, 'Gatehouse-Stateless', {
    env,
    description: 'Gatehouse API: one function per route behind API Gateway, and alarms',
    tables: stateful.tables.byEnvVar,
    alsoAlarmOn: [...Object.values(stateful.triggers), stateful.registryWriter].map((t) => t.function),
    ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    consoleOrigin: consoleHosting.origin,
  });
  const triggers = Object.fromEntries(
    Object.entries(stateful.triggers).map(([name, fn]) => [name, fn.function]),
  ) as unknown as GatehouseTenantStackProps['triggers'];
  const tenants = new Map(
    config.tenants.map((tenant) => [
      tenant.id,
      new GatehouseTenantStack(app, tenantStackName(tenant.id), {
        env,
        description: `Gatehouse tenant ${tenant.id}: its Cognito user pool (retained, deletion-protected) and registry record`,
        terminationProtection: true,
        tenant,
        triggers,
        registryWriter: stateful.registryWriter.function,
        consoleOrigin: consoleHosting.origin,
      }),
    ]),
  );
  // Last: the console's files and its config.json, which names the API and every tenant's app client.
  const consoleFiles = new GatehouseConsoleFilesStack(app, 'Gatehouse-ConsoleFiles', {
    env,
    description: 'Gatehouse admin console files and configuration',
    distribution: consoleHosting.distribution,
    apiUrl: stateless.api.url,
    tenants: config.tenants.map((tenant) => {
      const { pool } = tenants.get(tenant.id) as GatehouseTenantStack;
      return { id: tenant.id, name: tenant.name, userPool: pool.userPool, client: pool.client };
    }),
  });
  return { console: consoleHosting, stateful, stateless, tenants, consoleFiles };
}
