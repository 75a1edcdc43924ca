// The CDK app (cdk.json runs it): the tenants file named by the `gatehouse:tenantsFile` context, checked by cdk-nag.
import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadTenantsConfig } from '#config/tenants.ts';
import { buildGatehouse } from '#lib/gatehouse-app.ts';
import { PROJECT_ROOT } from '#lib/gatehouse-function.ts';

const app = new App();
const tenantsFile = String(app.node.tryGetContext('gatehouse:tenantsFile') ?? 'config/tenants.json');
buildGatehouse(app, loadTenantsConfig(resolve(PROJECT_ROOT, tenantsFile)), process.env.CDK_DEFAULT_ACCOUNT);
// Any unacknowledged AwsSolutions finding is an error: synth, and so deploy, fails on it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
