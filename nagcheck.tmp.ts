import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadTenantsConfig } from '#config/tenants.ts';
import { buildGatehouse } from '#lib/gatehouse-app.ts';

const file = process.argv[2] ?? '/tmp/tenants-10.json';
const ctx = JSON.parse(readFileSync('cdk.json', 'utf8')).context;
const t0 = Date.now();
const app = new App({ context: { ...ctx, 'aws:cdk:bundling-stacks': [] }, outdir: '/tmp/cdk-out-nag' });
buildGatehouse(app, loadTenantsConfig(file));
const t1 = Date.now();
const v = new AwsSolutionsChecks().validateScope(app).violations;
for (const x of v)
  for (const r of x.violatingResources)
    console.log(x.ruleName, r.constructPath, JSON.stringify(r).slice(0, 300));
const t2 = Date.now();
app.synth();
console.log('build', t1 - t0, 'nag', t2 - t1, 'synth', Date.now() - t2);
