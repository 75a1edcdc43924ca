// What lets one deployment hold 1,000 tenants: a stack per tenant whose size does not depend on how many there
// are, nothing shared that grows per tenant, and adding a tenant touching no other stack. (The 1,000-tenant
// synth itself, with cdk-nag and these limits, runs in `npm run bench`: minutes on a laptop.)
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatedTenants, type TenantsConfig } from '#config/tenants.ts';
import {
  CLOUDFORMATION_LIMITS,
  environmentBytes,
  LAMBDA_ENVIRONMENT_LIMIT,
  templateFigures,
} from '#lib/limits.ts';
import { type Synthesised, synthesise } from './gatehouse.ts';

const BASE = 12;
let before: Synthesised;
let after: Synthesised;

beforeAll(() => {
  const config: TenantsConfig = { region: 'eu-west-1', tenants: generatedTenants(BASE) };
  before = synthesise({ config, bundle: [] });
  // Tenant 13 is added at the end, as `npm run tenants -- add` appends it to the tenants file.
  after = synthesise({ config: { ...config, tenants: generatedTenants(BASE + 1) }, bundle: [] });
});

const json = (s: Synthesised, stack: 'stateful' | 'stateless') => s.templates[stack].toJSON();

describe('adding a tenant', () => {
  it('adds exactly its own stack', () => {
    expect(before.tenants.size).toBe(BASE);
    expect([...after.tenants.keys()].filter((id) => !before.tenants.has(id))).toEqual(['t0013']);
  });

  it('changes no other tenant’s stack, byte for byte', () => {
    for (const [id, template] of before.templates.tenants) {
      expect(after.templates.tenants.get(id)?.toJSON(), id).toEqual(template.toJSON());
    }
  });

  it('changes neither the stateful nor the stateless stack: no function is redeployed', () => {
    expect(json(after, 'stateful')).toEqual(json(before, 'stateful'));
    expect(json(after, 'stateless')).toEqual(json(before, 'stateless'));
  });

  it("changes not the console's hosting, whose URL every tenant's app client registers", () => {
    expect(Template.fromStack(after.console).toJSON()).toEqual(Template.fromStack(before.console).toJSON());
  });
});

describe('what grows with the tenants', () => {
  it('gives every tenant stack the same handful of resources, whatever the number of tenants', () => {
    const figures = [...after.tenants.values()].map((stack) => templateFigures(stack));
    const counts = new Set(figures.map((f) => f.resources));
    expect(counts.size).toBe(1);
    expect([...counts][0]).toBeLessThanOrEqual(10);
    // Generated ids have one length, so their templates one size: it is the tenant's, not the deployment's.
    expect(new Set(figures.map((f) => f.bytes)).size).toBe(1);
  });

  it('keeps every template within CloudFormation’s limits', () => {
    const stacks: Stack[] = [after.stateful, after.stateless, ...after.tenants.values()];
    for (const stack of stacks) {
      const f = templateFigures(stack);
      expect(f.resources, stack.stackName).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.resources);
      expect(f.bytes, stack.stackName).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.bytes);
      expect(f.outputs, stack.stackName).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.outputs);
      expect(f.parameters, stack.stackName).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.parameters);
    }
  });

  it('adds no statement to any function’s resource policy: one invoke permission per trigger, for every pool', () => {
    for (const template of after.templates.tenants.values())
      template.resourceCountIs('AWS::Lambda::Permission', 0);
    const permissions = (s: Synthesised) =>
      Object.keys(s.templates.stateful.findResources('AWS::Lambda::Permission')).length +
      Object.keys(s.templates.stateless.findResources('AWS::Lambda::Permission')).length;
    expect(permissions(after)).toBe(permissions(before));
    // The five triggers', and the API's per-route invoke permissions: a constant of the route table.
    expect(Object.keys(after.templates.stateful.findResources('AWS::Lambda::Permission'))).toHaveLength(5);
  });

  it('keeps every function’s environment under Lambda’s 4 KB, with the longest table names there are', () => {
    for (const template of [after.templates.stateful, after.templates.stateless]) {
      const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
      expect(functions.length).toBeGreaterThan(0);
      for (const [id, resource] of functions) {
        const variables = resource.Properties.Environment?.Variables ?? {};
        expect(environmentBytes(variables), id).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT);
      }
    }
  });

  it('passes cdk-nag with the generated tenants', () => {
    const findings = new AwsSolutionsChecks().validateScope(after.app).violations;
    expect(findings.map((v) => v.ruleName)).toEqual([]);
  });
});
