// The project Lambda construct: local esbuild (never Docker), one minified ESM file with its map, typed environment.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TriggerEnvironmentSchema } from '#adapters/environment.ts';
import { GatehouseFunction } from '#lib/gatehouse-function.ts';

describe('GatehouseFunction', () => {
  let app: App;
  let bundle: string;
  let variables: Record<string, unknown>;

  beforeAll(() => {
    app = new App();
    const stack = new Stack(app, 'Probe', { env: { region: 'eu-west-1' } });
    // TENANT_CACHE_SECONDS left out: its schema lets it be absent.
    const fn = new GatehouseFunction(stack, 'Probe', {
      entry: 'lambdas/triggers/custom-message.ts',
      clients: ['cognito'],
      stores: [],
      directory: [],
      description: 'probe',
      schema: TriggerEnvironmentSchema,
      environment: { PROFILES_TABLE: 'p', HISTORY_TABLE: 'h', TENANTS_TABLE: 't' },
    });
    const template = Template.fromStack(stack);
    const { Properties } =
      template.toJSON().Resources[stack.getLogicalId(fn.function.node.defaultChild as never)];
    bundle = join(app.outdir, `asset.${String(Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    variables = Properties.Environment.Variables;
  });

  it('bundles with the esbuild of node_modules, which CDK finds from aws-cdk-lib as it does', () => {
    const fromCdk = createRequire(createRequire(import.meta.url).resolve('aws-cdk-lib'));
    expect((fromCdk('esbuild/package.json') as { version: string }).version).toMatch(/^0\./);
  });

  it('writes one minified ESM file and its source map', () => {
    expect(readdirSync(bundle).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(join(bundle, 'index.mjs'), 'utf8');
    expect(code.startsWith("import{createRequire}from'node:module';")).toBe(true);
    // Minified: long lines (the few line breaks left are inside template literals and legal comments).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
  });

  it("takes credentials from the environment alone: the SDK's default chain and its STS/SSO clients are not bundled", () => {
    const { sources } = JSON.parse(readFileSync(join(bundle, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    const packages = new Set(sources.map((s) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s)?.[1]));
    expect(sources.some((s) => s.endsWith('lambdas/adapters/lambda-credentials.ts'))).toBe(true);
    expect(packages.has('@aws-sdk/credential-provider-env')).toBe(true);
    for (const absent of [
      '@aws-sdk/credential-provider-node',
      '@aws-sdk/credential-provider-ini',
      '@aws-sdk/credential-provider-sso',
      '@aws-sdk/nested-clients',
    ]) {
      expect({ absent, bundled: packages.has(absent) }).toEqual({ absent, bundled: false });
    }
  });

  it('lets a variable whose schema has a default be left out, setting only what it is given', () => {
    expect(TriggerEnvironmentSchema.shape.TENANT_CACHE_SECONDS.safeParse(undefined)).toEqual({
      success: true,
      data: undefined,
    });
    expect(variables).toEqual({
      PROFILES_TABLE: 'p',
      HISTORY_TABLE: 'h',
      TENANTS_TABLE: 't',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('refuses an environment that lacks a variable of its schema, before bundling anything', () => {
    const stack = new Stack(new App(), 'Missing');
    expect(
      () =>
        new GatehouseFunction(stack, 'Fn', {
          entry: 'lambdas/triggers/custom-message.ts',
          clients: ['cognito'],
          stores: [],
          directory: [],
          description: 'missing',
          schema: TriggerEnvironmentSchema,
          environment: { PROFILES_TABLE: 'p', HISTORY_TABLE: 'h' } as never,
        }),
    ).toThrow(/environment lacks TENANTS_TABLE$/);
  });
});
