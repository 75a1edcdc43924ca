// The stateful stack: the tables (the tenant registry among them), the Cognito triggers every tenant's pool
// calls, and the writer of the tenants' registry records. Nothing in it grows with the tenants.
import {
  ArnFormat,
  Aws,
  CfnOutput,
  type CfnResource,
  Duration,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { Policy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { RegistryWriterEnvironmentSchema, TriggerEnvironmentSchema } from '#adapters/environment.ts';
import { TABLES } from '#adapters/table-definitions.ts';
import { REGISTRY_WRITER, type TableKey, TRIGGERS, type TriggerName } from './access.ts';
import { GatehouseFunction } from './gatehouse-function.ts';
import { GatehouseTables } from './tables.ts';

/**
 * Data that outlives any code deploy: the tables are retained and deletion-protected. Each tenant's pool is
 * in its own stack (lib/tenant-stack.ts).
 *
 * The triggers live here, not with the API, so a code deploy of the API never touches what every pool
 * points at. Each has one invoke permission for every pool of the account (`userpool/*`), so the tenant
 * stacks refer to the triggers and nothing here refers to a tenant.
 */
export class GatehouseStatefulStack extends Stack {
  readonly tables: GatehouseTables;
  readonly triggers: Record<TriggerName, GatehouseFunction>;
  readonly registryWriter: GatehouseFunction;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.tables = new GatehouseTables(this, 'Tables');

    const trigger = (name: TriggerName, description: string) => {
      const fn = new GatehouseFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}Trigger`, {
        entry: TRIGGERS[name].entry,
        clients: TRIGGERS[name].clients,
        stores: TRIGGERS[name].stores,
        directory: TRIGGERS[name].directory,
        description,
        schema: TriggerEnvironmentSchema,
        environment: this.tables.storeEnvironment(),
        // Cognito waits 5 seconds for a trigger, then fails the sign-in or the mail.
        timeout: Duration.seconds(5),
      });
      fn.allow(TRIGGERS[name].access, { tables: this.tables.byEnvVar });
      // One statement for every pool of this account and region: a statement per pool would fill the
      // function's 20 KB resource policy at about 50 tenants. A pool of another account cannot match both.
      fn.function.addPermission('InvokedByTenantPools', {
        principal: new ServicePrincipal('cognito-idp.amazonaws.com'),
        sourceAccount: Aws.ACCOUNT_ID,
        sourceArn: this.formatArn({ service: 'cognito-idp', resource: 'userpool', resourceName: '*' }),
      });
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
      preSignUp: trigger(
        'preSignUp',
        'Gatehouse Cognito trigger: links first sign-ins through the identity provider to profiles',
      ),
      preTokenGeneration: trigger(
        'preTokenGeneration',
        'Gatehouse Cognito trigger: roles and permissions into tokens',
      ),
    };

    this.allowManagedLoginLookup(this.triggers.customMessage);

    this.registryWriter = new GatehouseFunction(this, 'RegistryWriter', {
      entry: REGISTRY_WRITER.entry,
      clients: REGISTRY_WRITER.clients,
      stores: [],
      directory: REGISTRY_WRITER.directory,
      description: "Gatehouse: writes a tenant's registry record when its stack deploys",
      schema: RegistryWriterEnvironmentSchema,
      environment: { TENANTS_TABLE: this.tables.byEnvVar.TENANTS_TABLE.tableName },
      timeout: Duration.seconds(30),
    });
    this.registryWriter.allow(REGISTRY_WRITER.access, { tables: this.tables.byEnvVar });

    // What `npm run first-admin`, `npm run tenants` and operators look up: each table.
    for (const definition of TABLES) {
      new CfnOutput(this, `${definition.name}Table`, {
        value: this.tables.byEnvVar[definition.envVar as TableKey].tableName,
        description: `${definition.envVar} of the functions`,
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
