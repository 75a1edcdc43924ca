// What `npm run tenants` does to a deployment: list, add (the tenant's own stack deployed), retire and purge, on
// the registry and tables the stateful stack names. The clients and the deploy are given, so tests can stand in.
import { writeFileSync } from 'node:fs';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoTenantRegistry } from '#adapters/dynamo-tenant-registry.ts';
import { purgePorts } from '#adapters/purge-ports.ts';
import { TABLES } from '#adapters/table-definitions.ts';
import { loadTenantsConfig, TenantConfigSchema, TenantsConfigSchema } from '#config/tenants.ts';
import type { Tenant } from '#domain/tenant.ts';
import { type PurgeReport, purgeTenant } from '#services/purge-tenant.ts';
import { tenantStackName } from './tenant-stack.ts';

export interface TenantPlatformDeps {
  cloudFormation: CloudFormationClient;
  dynamo: DynamoDBClient;
  cognito: CognitoIdentityProviderClient;
  /** Runs `cdk <args>` (npx cdk, its output shown); answers its exit status. */
  cdk(args: string[]): number | null;
}

export interface TenantPlatformOptions {
  /** The deployment's tenants configuration: `add` appends to it, `purge` wants the tenant out of it. */
  tenantsFile: string;
  /** The stateful stack, whose outputs name the tables. */
  statefulStack: string;
}

/** The console's files stack: its config.json lists the tenants, so a new tenant deploys it with its own. */
export const CONSOLE_FILES_STACK = 'Gatehouse-ConsoleFiles';

export class TenantPlatform {
  constructor(
    private readonly deps: TenantPlatformDeps,
    private readonly options: TenantPlatformOptions,
  ) {}

  async list(): Promise<Tenant[]> {
    return (await this.registry()).list();
  }

  /**
   * Appends the tenant to the tenants file (checked as a whole: the file stays the deployment's source of truth),
   * then deploys its own stack and the console's files, which list it: no other tenant's stack and no function of
   * the API is redeployed. The stack's custom resource writes the registry record, read back here.
   */
  async add(input: unknown): Promise<Tenant | undefined> {
    const tenant = TenantConfigSchema.parse(input);
    const { tenantsFile } = this.options;
    const config = loadTenantsConfig(tenantsFile);
    if (config.tenants.some((t) => t.id === tenant.id)) {
      throw new Error(
        `${tenant.id} is in ${tenantsFile} already: deploy its stack, ${tenantStackName(tenant.id)}`,
      );
    }
    const next = TenantsConfigSchema.parse({ ...config, tenants: [...config.tenants, tenant] });
    writeFileSync(tenantsFile, `${JSON.stringify(next, null, 2)}\n`);
    const status = this.deps.cdk([
      'deploy',
      tenantStackName(tenant.id),
      CONSOLE_FILES_STACK,
      '--exclusively',
      '--require-approval',
      'never',
      '-c',
      `gatehouse:tenantsFile=${tenantsFile}`,
    ]);
    if (status !== 0) {
      throw new Error(
        `cdk deploy ${tenantStackName(tenant.id)} ${CONSOLE_FILES_STACK} failed: ${tenant.id} stays in ${tenantsFile}; deploy again`,
      );
    }
    return (await this.registry()).byId(tenant.id);
  }

  async retire(id: string): Promise<Tenant | undefined> {
    return (await this.registry()).retire(id);
  }

  /**
   * A deployed tenant is purged once its stack is destroyed (so no deploy recreates what the purge deletes) and
   * its entry is out of the tenants file (so no `cdk deploy --all` brings it back as a new tenant).
   */
  async purge(id: string): Promise<PurgeReport> {
    const { tenantsFile } = this.options;
    if (loadTenantsConfig(tenantsFile).tenants.some((t) => t.id === id)) {
      throw new Error(
        `${id} is still in ${tenantsFile}: take it out, then npx cdk destroy ${tenantStackName(id)}`,
      );
    }
    const stack = await this.deps.cloudFormation
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
    const outputs = await this.outputs();
    const tables = Object.fromEntries(TABLES.map((t) => [t.envVar, outputs[`${t.name}Table`]]));
    return purgeTenant(purgePorts({ dynamo: this.deps.dynamo, cognito: this.deps.cognito }, tables), id);
  }

  private async outputs(): Promise<Record<string, string | undefined>> {
    const { Stacks } = await this.deps.cloudFormation.send(
      new DescribeStacksCommand({ StackName: this.options.statefulStack }),
    );
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  }

  /** Never cached: the command reads back what it just wrote. */
  private async registry(): Promise<DynamoTenantRegistry> {
    const tableName = (await this.outputs()).tenantsTable;
    if (!tableName)
      throw new Error(`Stack ${this.options.statefulStack} has no output tenantsTable: deploy it first`);
    return new DynamoTenantRegistry({ client: this.deps.dynamo, tableName, cacheSeconds: 0 });
  }
}
