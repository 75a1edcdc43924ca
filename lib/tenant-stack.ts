// One tenant's stack: its user pool (lib/tenant-pool.ts) and its registry record, apart from every other tenant.
import { CfnOutput, CustomResource, Stack, type StackProps } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { registryRecord, type TenantConfig } from '#config/tenants.ts';
import type { RegistryRecordProperties } from '#jobs/register-tenant.ts';
import type { TriggerName } from './access.ts';
import { TenantPool } from './tenant-pool.ts';

export interface GatehouseTenantStackProps extends StackProps {
  tenant: TenantConfig;
  /** The shared Cognito triggers (stateful stack): the pool names them; their one permission covers it. */
  triggers: Record<TriggerName, IFunction>;
  /** The registry writer (stateful stack) behind this stack's custom resource. */
  registryWriter: IFunction;
  /**
   * The admin console's origin (Gatehouse-Console), registered on the app client. The same value for every
   * tenant, exported once by the console's stack: adding a tenant changes that stack no more than any other.
   */
  consoleOrigin?: string;
}

/** The stack name of a tenant: found by `npm run tenants` and `cdk deploy` without listing the others. */
export const tenantStackName = (tenantId: string) => `Gatehouse-Tenant-${tenantId}`;

/**
 * A stack per tenant, not a shard of many: adding, changing or retiring a tenant deploys its own stack and
 * nothing else, a failed deploy rolls back one tenant, and each template stays at a handful of resources
 * however many tenants there are. CloudFormation allows 2,000 stacks per account and region by default.
 * The API finds the tenant through its registry record; only the console's files stack reads the pool and
 * client ids (for the console's config.json).
 */
export class GatehouseTenantStack extends Stack {
  readonly pool: TenantPool;

  constructor(scope: Construct, id: string, props: GatehouseTenantStackProps) {
    super(scope, id, props);
    const { tenant } = props;
    const triggers = Object.fromEntries(
      Object.entries(props.triggers).map(([name, fn]) => [name, fn.functionArn]),
    ) as Record<TriggerName, string>;
    this.pool = new TenantPool(this, 'Tenant', {
      tenant,
      triggers,
      ...(props.consoleOrigin ? { consoleOrigin: props.consoleOrigin } : {}),
    });

    const issuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.pool.userPool.userPoolId}`;
    // The mails link to the tenant's application when it names one, else to its managed login page.
    const record = registryRecord(
      tenant,
      {
        userPoolId: this.pool.userPool.userPoolId,
        issuer,
        clientId: this.pool.client.userPoolClientId,
        tokenUrl: this.pool.tokenUrl,
      },
      tenant.signInUrl ?? this.pool.loginUrl,
    );
    new CustomResource(this, 'RegistryRecord', {
      serviceToken: props.registryWriter.functionArn,
      resourceType: 'Custom::GatehouseTenant',
      properties: { Record: this.toJsonString(record) } satisfies RegistryRecordProperties,
    });

    // What `npm run tenants -- list` and operators look up: the tenant's pool, client and login page.
    new CfnOutput(this, 'UserPoolId', { value: this.pool.userPool.userPoolId, description: 'User pool' });
    new CfnOutput(this, 'ClientId', { value: this.pool.client.userPoolClientId, description: 'App client' });
    new CfnOutput(this, 'TokenUrl', {
      value: this.pool.tokenUrl,
      description:
        'OAuth token endpoint of SCIM OAuth clients (client-credentials grant, scope gatehouse/scim)',
    });
    new CfnOutput(this, 'LoginUrl', {
      value: this.pool.loginUrl,
      description: 'Managed login page, signing in to the first callback URL',
    });
  }
}
