// The stateful stack: the tables and one user pool per tenant, with the Cognito triggers the pools call.
import {
  ArnFormat,
  CfnOutput,
  type CfnResource,
  Duration,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TriggerEnvironmentSchema } from '#adapters/environment.ts';
import { TABLES } from '#adapters/table-definitions.ts';
import type { TenantsConfig } from '#config/tenants.ts';
import { type TableKey, TRIGGERS, type TriggerName } from './access.ts';
import { GatehouseFunction } from './gatehouse-function.ts';
import { GatehouseTables } from './tables.ts';
import { TenantPool } from './tenant-pool.ts';

export interface GatehouseStatefulStackProps extends StackProps {
  config: TenantsConfig;
}

/**
 * Data that outlives any code deploy: tables and pools are retained and deletion-protected.
 *
 * The triggers live here too, not with the API: a pool names its trigger functions and each function's
 * permission names its pool, so in separate stacks they would import each other (a cycle). Their code
 * deploys update only the functions; the pools keep pointing at the same function ARNs.
 */
export class GatehouseStatefulStack extends Stack {
  readonly tables: GatehouseTables;
  readonly tenants: readonly TenantPool[];
  readonly triggers: Record<TriggerName, GatehouseFunction>;

  constructor(scope: Construct, id: string, props: GatehouseStatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.tables = new GatehouseTables(this, 'Tables');

    const tenantNames = JSON.stringify(Object.fromEntries(config.tenants.map((t) => [t.id, t.name])));
    const licenceRequired = JSON.stringify(config.tenants.filter((t) => t.licenceRequired).map((t) => t.id));
    // Only the configured applications: a managed login page's client id would make a cycle (see below).
    const signInUrls = JSON.stringify(
      Object.fromEntries(config.tenants.flatMap((t) => (t.signInUrl ? [[t.id, t.signInUrl]] : []))),
    );
    const trigger = (name: TriggerName, description: string) => {
      const fn = new GatehouseFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}Trigger`, {
        entry: TRIGGERS[name].entry,
        description,
        schema: TriggerEnvironmentSchema,
        environment: {
          ...this.tables.environment(),
          TENANT_NAMES: tenantNames,
          LICENCE_REQUIRED_TENANTS: licenceRequired,
          SIGN_IN_URLS: signInUrls,
        },
        // Cognito waits 5 seconds for a trigger, then fails the sign-in or the mail.
        timeout: Duration.seconds(5),
      });
      fn.allow(TRIGGERS[name].access, { tables: this.tables.byEnvVar, userPools: [] });
      return fn;
    };
    this.triggers = {
      customMessage: trigger(
        'customMessage',
        'Gatehouse Cognito trigger: tenant-worded welcome and reset mails',
      ),
      postAuthentication: trigger('postAuthentication', 'Gatehouse Cognito trigger: records sign-ins'),
      preAuthentication: trigger(
        'preAuthentication',
        'Gatehouse Cognito trigger: refuses users who may not sign in',
      ),
      preTokenGeneration: trigger(
        'preTokenGeneration',
        'Gatehouse Cognito trigger: roles and permissions into tokens',
      ),
    };

    this.allowManagedLoginLookup(this.triggers.customMessage);

    this.tenants = config.tenants.map(
      (tenant) =>
        new TenantPool(this, `Tenant-${tenant.id}`, {
          tenant,
          triggers: {
            customMessage: this.triggers.customMessage.function,
            postAuthentication: this.triggers.postAuthentication.function,
            preAuthentication: this.triggers.preAuthentication.function,
            preTokenGeneration: this.triggers.preTokenGeneration.function,
          },
        }),
    );

    // What `npm run first-admin` and operators look up: each table, and each tenant's pool, client and login page.
    for (const definition of TABLES) {
      new CfnOutput(this, `${definition.name}Table`, {
        value: this.tables.byEnvVar[definition.envVar as TableKey].tableName,
        description: `${definition.envVar} of the functions`,
      });
    }
    for (const pool of this.tenants) {
      const id = pool.tenant.id;
      new CfnOutput(this, `${id}LoginUrl`, {
        value: pool.loginUrl,
        description: `${id}: managed login page, signing in to the first callback URL`,
      });
      new CfnOutput(this, `${id}UserPoolId`, {
        value: pool.userPool.userPoolId,
        description: `${id}: user pool`,
      });
      new CfnOutput(this, `${id}ClientId`, {
        value: pool.client.userPoolClientId,
        description: `${id}: app client`,
      });
    }
  }

  /**
   * The welcome mail links to the pool's managed login page when the tenant names no application. The trigger reads
   * the pool's domain, client and callback URLs from Cognito: the pools name the trigger, so the trigger cannot name
   * them back (their ARNs in its policy, or the client ids in its environment, would be a cycle).
   */
  private allowManagedLoginLookup(trigger: GatehouseFunction): void {
    // Its own policy, so the acknowledgement below covers this statement and nothing else of the role's.
    const policy = new Policy(this, 'ManagedLoginLookup', {
      roles: [trigger.role],
      statements: [
        new PolicyStatement({
          actions: [
            'cognito-idp:DescribeUserPool',
            'cognito-idp:ListUserPoolClients',
            'cognito-idp:DescribeUserPoolClient',
          ],
          resources: [
            this.formatArn({
              service: 'cognito-idp',
              resource: 'userpool',
              resourceName: '*',
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    Validations.of(policy.node.defaultChild as CfnResource).acknowledge({
      // cdk-nag names each wildcard resource of the finding.
      id: `AwsSolutions-IAM5[Resource::arn:aws:cognito-idp:${this.region}:<AWS::AccountId>:userpool/*]`,
      reason:
        "Read-only description (DescribeUserPool, ListUserPoolClients, DescribeUserPoolClient) of this account and region's pools: the pools name this trigger, so naming them here would be a cycle.",
    });
  }
}
