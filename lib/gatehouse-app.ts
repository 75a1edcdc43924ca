// The Gatehouse CDK app: the stateful and stateless stacks for one tenants configuration, wired by typed props.
import { type App, type Environment, Tags } from 'aws-cdk-lib';
import type { TenantsConfig } from '#config/tenants.ts';
import { GatehouseStatefulStack } from './stateful-stack.ts';
import { GatehouseStatelessStack } from './stateless-stack.ts';

export interface Gatehouse {
  stateful: GatehouseStatefulStack;
  stateless: GatehouseStatelessStack;
}

/**
 * `account` may be absent (no credentials, e.g. `npm run synth` on a laptop or in CI): the stacks then
 * leave the account to CloudFormation (AWS::AccountId); the region always comes from the configuration.
 */
export function buildGatehouse(app: App, config: TenantsConfig, account?: string): Gatehouse {
  const env: Environment = { region: config.region, ...(account ? { account } : {}) };
  Tags.of(app).add('application', 'gatehouse');
  const stateful = new GatehouseStatefulStack(app, 'Gatehouse-Stateful', {
    env,
    description: 'Gatehouse data: tables and one Cognito user pool per tenant (retained, deletion-protected)',
    terminationProtection: true,
    config,
  });
  const stateless = new GatehouseStatelessStack(app, 'Gatehouse-Stateless', {
    env,
    description: 'Gatehouse API: one function per route behind API Gateway, and alarms',
    tables: stateful.tables.byEnvVar,
    tenants: stateful.tenants.map((t) => ({ config: t.tenant, userPool: t.userPool, client: t.client })),
    alsoAlarmOn: Object.values(stateful.triggers).map((t) => t.function),
    ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
  });
  return { stateful, stateless };
}
