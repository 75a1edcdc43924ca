// Builds the CDK app for infra tests: the three-tenant fixture (or any tenants file), cdk.json's feature flags.
import { readFileSync } from 'node:fs';
import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { loadTenantsConfig, type TenantsConfig } from '#config/tenants.ts';
import type { FunctionAccess } from '#lib/access.ts';
import { buildGatehouse, type Gatehouse } from '#lib/gatehouse-app.ts';
import { PROJECT_ROOT } from '#lib/gatehouse-function.ts';

export const THREE_TENANTS_FILE = new URL('./three-tenants.json', import.meta.url);
export const SHIPPED_TENANTS_FILE = new URL('../../config/tenants.json', import.meta.url);

/** The feature flags and settings `cdk synth` runs with, so tests see the templates a deploy would. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(`${PROJECT_ROOT}cdk.json`, 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface Synthesised extends Gatehouse {
  app: App;
  config: TenantsConfig;
  templates: { stateful: Template; stateless: Template; tenants: ReadonlyMap<string, Template> };
}

/**
 * Builds and synthesises the app once. Bundling runs only for the named stacks (esbuild per function is
 * the slow part): a test file bundles what it asserts on, `[]` for none.
 */
export function synthesise(options: {
  tenantsFile?: URL;
  config?: TenantsConfig;
  bundle: string[];
}): Synthesised {
  const config = options.config ?? loadTenantsConfig(options.tenantsFile ?? THREE_TENANTS_FILE);
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': options.bundle } });
  const gatehouse = buildGatehouse(app, config);
  return {
    ...gatehouse,
    app,
    config,
    templates: {
      stateful: Template.fromStack(gatehouse.stateful),
      stateless: Template.fromStack(gatehouse.stateless),
      tenants: new Map([...gatehouse.tenants].map(([id, stack]) => [id, Template.fromStack(stack)])),
    },
  };
}

export interface AcknowledgedRule {
  path: string;
  id: string;
  reason: string;
  onResource: boolean;
}

/** Every cdk-nag acknowledgement in the tree, with where it was made. */
export function acknowledgements(root: IConstruct): AcknowledgedRule[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
          onResource: CfnResource.isCfnResource(construct),
        })),
      ),
  );
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Logical id of the one resource of `type` whose properties match `predicate`. */
export function logicalIdOf(
  template: Template,
  type: string,
  predicate: (properties: Record<string, Json>) => boolean,
): string {
  const found = Object.entries(template.findResources(type)).filter(([, r]) =>
    predicate((r as { Properties: Record<string, Json> }).Properties),
  );
  if (found.length !== 1) throw new Error(`Expected one ${type} to match, found ${found.length}`);
  return (found[0] as [string, unknown])[0];
}

/**
 * Renders a CloudFormation string value (a plain string or an Fn::Join) with each intrinsic replaced by
 * what `value` makes of it: what a deployed function would see in its environment, with stand-ins.
 */
export function render(value: Json, intrinsic: (node: Json) => string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value) && 'Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((part) => render(part, intrinsic)).join(separator);
  }
  return intrinsic(value);
}

type Resource = { Type: string; Properties: Record<string, Json> };

/**
 * Every action a function's role allows, as `action@target` (each target as `meaning` names it), its log
 * group left out: what the function may do, to compare with its access entry.
 */
export function grantsOf(template: Template, fnId: string, meaning: (node: Json) => string): string[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const roleId = ((resources[fnId] as Resource).Properties.Role as { 'Fn::GetAtt': [string] })[
    'Fn::GetAtt'
  ][0];
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    )
    .flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument as { Statement: { Action: Json; Resource: Json }[] }).Statement,
    )
    .flatMap((statement) => {
      const actions = [statement.Action].flat() as string[];
      const targets = [statement.Resource].flat().map((r) => render(r, meaning));
      return actions.flatMap((action) => targets.map((target) => `${action}@${target}`));
    })
    .filter((grant) => !grant.startsWith('logs:'))
    .sort();
}

/** The account's user pools and SES identities, as `grantsOf` renders the patterns a function is granted. */
export const poolsOf = (region: string) =>
  `arn:aws:cognito-idp:${region}:{"Ref":"AWS::AccountId"}:userpool/*`;
export const sendersOf = (region: string) => `arn:aws:ses:${region}:{"Ref":"AWS::AccountId"}:identity/*`;

/**
 * What `grantsOf` should find for an access entry: tables by variable, indexes, each Cognito action on the
 * account's pools and each SES action on its identities (both by pattern: nothing names a tenant).
 */
export function grantsNamed(access: FunctionAccess, region = 'eu-west-1'): string[] {
  return [
    ...Object.entries(access.tables ?? {}).flatMap(([table, actions]) =>
      (actions ?? []).map((action) => `dynamodb:${action}@${table}`),
    ),
    ...Object.entries(access.indexes ?? {}).flatMap(([table, indexes]) =>
      (indexes ?? []).map((index) => `dynamodb:Query@${table}/index/${index}`),
    ),
    ...(access.cognito ?? []).map((action) => `cognito-idp:${action}@${poolsOf(region)}`),
    ...(access.ses ?? []).map((action) => `ses:${action}@${sendersOf(region)}`),
  ].sort();
}
