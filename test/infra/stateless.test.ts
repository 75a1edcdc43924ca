// The stateless stack for three tenants: every route verifying its own tokens, the scheduled reconciler, least privilege, alarms.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COGNITO_BUDGET } from '#adapters/cognito-pace.ts';
import { ApiEnvironmentSchema, JobWorkerEnvironmentSchema } from '#adapters/environment.ts';
import { handlerFile, ROUTES, type RouteId } from '#api/routes.ts';
import { SCIM_ROUTES, type ScimRouteId } from '#api/scim-routes.ts';
import { paginates } from '#http/cursors.ts';
import { JOBS, ROUTE_ACCESS, routeAccess, SCIM_ACCESS, TRIGGERS } from '#lib/access.ts';
import { METRIC_NAMESPACE, THROTTLING } from '#lib/stateless-stack.ts';
import {
  grantsOf as grantsIn,
  grantsNamed,
  poolsOf,
  render,
  type Synthesised,
  sendersOf,
  synthesise,
} from './gatehouse.ts';

type Json = Parameters<typeof render>[0];
type Resource = { Type: string; Properties: Record<string, Json> };

let built: Synthesised;
let template: Template;
let resources: Record<string, Resource>;
const ROUTE_IDS = Object.keys(ROUTES) as RouteId[];
const SCIM_IDS = Object.keys(SCIM_ROUTES) as ScimRouteId[];
const idOf = (element: unknown) => built.stateless.getLogicalId(element as CfnElement);
const statefulIdOf = (element: unknown) => built.stateful.getLogicalId(element as CfnElement);
const functionId = (route: RouteId) => idOf(built.stateless.routeFunctions[route].function.node.defaultChild);
const scimFunctionId = () => idOf(built.stateless.scim.function.node.defaultChild);
const reconcilerId = () => idOf(built.stateless.reconciler.function.node.defaultChild);
const jobWorkerId = () => idOf(built.stateless.jobWorker.function.node.defaultChild);
/** The EventBridge rule that invokes `fnId`. */
const ruleOf = (fnId: string) =>
  Object.entries(template.findResources('AWS::Events::Rule')).find(([, rule]) =>
    JSON.stringify(rule.Properties.Targets).includes(`"${fnId}"`),
  )?.[0] as string;

beforeAll(() => {
  built = synthesise({ bundle: ['Gatehouse-Stateless'] });
  template = built.templates.stateless;
  resources = template.toJSON().Resources as Record<string, Resource>;
});

/** What a stateful-stack value stands for: `PROFILES_TABLE`, or its raw form. */
function meaning(node: Json): string {
  const name = JSON.stringify(node);
  for (const [key, table] of Object.entries(built.stateful.tables.byEnvVar)) {
    if (name.includes(statefulIdOf(table.node.defaultChild))) return key;
  }
  if (name === '{"Ref":"AWS::URLSuffix"}') return 'amazonaws.com';
  // The admin console's CloudFront domain, from the console stack (test/infra/console.test.ts).
  if (name.includes('"StackName":"Gatehouse-Console"')) return 'd111111abcdef8.cloudfront.net';
  if (name.includes(idOf(built.stateless.cursorKeys.node.defaultChild))) return 'cursor-keys';
  return name;
}

/** The path of an API Gateway resource, from its chain of parents. */
function pathOf(resourceRef: Json): string {
  const ref = resourceRef as { Ref?: string };
  if (!ref.Ref) return ''; // the API's root resource
  const resource = resources[ref.Ref] as Resource;
  return `${pathOf(resource.Properties.ParentId as Json)}/${resource.Properties.PathPart as string}`;
}

/** The route's one method: named by its id, open to API Gateway (no authorizer), proxied to the function. */
function expectProxyMethod(id: string, route: { method: string; path: string }, functionLogicalId: string) {
  const methods = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::ApiGateway::Method' &&
      r.Properties.HttpMethod === route.method &&
      pathOf(r.Properties.ResourceId as Json) === route.path,
  );
  expect(methods).toHaveLength(1);
  expect(methods[0]?.Properties).toMatchObject({
    AuthorizationType: 'NONE',
    OperationName: id,
    Integration: {
      Type: 'AWS_PROXY',
      Uri: { 'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [functionLogicalId, 'Arn'] }])] },
    },
  });
  expect(methods[0]?.Properties.AuthorizerId).toBeUndefined();
}

/** Every action its role allows a function of this stack, as `action@target`, the log group left out. */
const grantsOf = (fnId: string) => grantsIn(template, fnId, meaning);

describe('routes', () => {
  it('has one method and one function per route of the route table, a method per SCIM route, the SCIM function, the reconciler and the job worker', () => {
    // Besides each path's OPTIONS, answered by API Gateway for the admin console's preflights.
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.filter((m) => m.Properties.HttpMethod !== 'OPTIONS')).toHaveLength(
      ROUTE_IDS.length + SCIM_IDS.length,
    );
    // The SCIM function, the reconciler and the job worker.
    template.resourceCountIs('AWS::Lambda::Function', ROUTE_IDS.length + 3);
  });
  it.each(
    SCIM_IDS.map((id) => [id] as const),
  )('serves the SCIM route %s from the one SCIM function, without an authorizer', (id) => {
    expectProxyMethod(id, SCIM_ROUTES[id], scimFunctionId());
  });

  it.each(
    ROUTE_IDS.map((id) => [id] as const),
  )('serves %s at its path, its function verifying the token (no authorizer)', (id) => {
    expectProxyMethod(id, ROUTES[id], functionId(id));
  });

  it.each(
    ROUTE_IDS.map((id) => [id] as const),
  )('runs %s from its handler module on Node.js 22, arm64, with JSON logs kept three months', (id) => {
    const fn = resources[functionId(id)] as Resource;
    expect(fn.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
      Description: `Gatehouse API: ${ROUTES[id].method} ${ROUTES[id].path}`,
    });
    const logGroup = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resources[logGroup]?.Properties.RetentionInDays).toBe(90);
    // The bundle is one minified ESM file built from this route's handler module (its source map says so).
    const key = (fn.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
    const bundle = join(built.app.outdir, `asset.${key}`);
    expect(readdirSync(bundle).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const map = JSON.parse(readFileSync(join(bundle, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.endsWith(`lambdas/api/handlers/${handlerFile(id)}`))).toBe(
      true,
    );
  });

  it('gives the bulk route API Gateway’s whole 29 s, as it paces its Cognito calls, and every other route 10 s', () => {
    for (const id of ROUTE_IDS) {
      const timeout = (resources[functionId(id)] as Resource).Properties.Timeout;
      expect(timeout, id).toBe(id === 'bulkUsers' ? 29 : 10);
    }
  });

  it('has no API Gateway authorizer, which would list every tenant’s pool: each handler verifies its tokens', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    // The console's preflights (OPTIONS) are answered by API Gateway itself, with no token either.
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    // The SCIM routes too: the SCIM function verifies the directory's SCIM token.
    expect(methods.filter((m) => m.Properties.HttpMethod !== 'OPTIONS')).toHaveLength(
      ROUTE_IDS.length + SCIM_IDS.length,
    );
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('NONE');
  });
});

describe('function environment', () => {
  it.each(
    ROUTE_IDS.map((id) => [id] as const),
  )('gives %s an environment its schema accepts, naming the tables and no tenant', (id) => {
    const variables = (resources[functionId(id)] as Resource).Properties.Environment as {
      Variables: Record<string, Json>;
    };
    const seen = Object.fromEntries(
      Object.entries(variables.Variables).map(([name, value]) => [
        name,
        render(value, (node) => `gatehouse-${meaning(node).toLowerCase()}`),
      ]),
    );
    // The cursor keys' secret only where cursors are sealed; the offline key file never. The console's origin
    // is one for every tenant: it does not grow with them.
    expect(Object.keys(seen).sort()).toEqual(
      [
        'CONSOLE_ORIGIN',
        'HISTORY_TABLE',
        'JOBS_TABLE',
        'NODE_OPTIONS',
        'PROFILES_TABLE',
        'TENANTS_TABLE',
        ...(paginates(ROUTES[id]) ? ['CURSOR_KEYS_SECRET'] : []),
      ].sort(),
    );
    if (paginates(ROUTES[id])) expect(seen.CURSOR_KEYS_SECRET).toBe('gatehouse-cursor-keys');
    expect(seen.CONSOLE_ORIGIN).toBe('https://gatehouse-d111111abcdef8.cloudfront.net');
    expect(ApiEnvironmentSchema.parse(seen)).toMatchObject({ TENANTS_TABLE: 'gatehouse-tenants_table' });
    for (const tenant of built.config.tenants) expect(JSON.stringify(variables)).not.toContain(tenant.id);
  });

  it('gives the SCIM function the tables and no tenant: a token names its tenant, the registry has it', () => {
    const variables = (resources[scimFunctionId()] as Resource).Properties.Environment as {
      Variables: Record<string, Json>;
    };
    expect(Object.keys(variables.Variables).sort()).toEqual(
      ['HISTORY_TABLE', 'JOBS_TABLE', 'NODE_OPTIONS', 'PROFILES_TABLE', 'TENANTS_TABLE'].sort(),
    );
    for (const tenant of built.config.tenants) expect(JSON.stringify(variables)).not.toContain(tenant.id);
  });
});

describe('least privilege', () => {
  const access = routeAccess(ROUTES, ROUTE_ACCESS);

  it.each(
    ROUTE_IDS.map((id) => [id] as const),
  )('grants %s exactly the actions its access entry names', (id) => {
    const cursorKeys = paginates(ROUTES[id])
      ? ['secretsmanager:DescribeSecret@cursor-keys', 'secretsmanager:GetSecretValue@cursor-keys']
      : [];
    expect(grantsOf(functionId(id))).toEqual(
      [...grantsNamed(access[id], built.config.region), ...cursorKeys].sort(),
    );
  });

  it('grants the SCIM function exactly SCIM_ACCESS: a registry read, Cognito on the account’s pools by pattern', () => {
    const grants = grantsOf(scimFunctionId());
    expect(grants).toEqual(grantsNamed(SCIM_ACCESS, built.config.region).sort());
    expect(grants).toContain('dynamodb:GetItem@TENANTS_TABLE');
    expect(grants).toContain(`cognito-idp:AdminCreateUser@${poolsOf(built.config.region)}`);
  });

  it('lets only the SCIM client routes make or delete app clients: create (undone on a refused record) and revoke', () => {
    const appClients = (id: RouteId) =>
      grantsOf(functionId(id)).filter((g) => /cognito-idp:(Create|Delete|Update)UserPoolClient/.test(g));
    const pools = poolsOf(built.config.region);
    expect(appClients('createScimClient')).toEqual([
      `cognito-idp:CreateUserPoolClient@${pools}`,
      `cognito-idp:DeleteUserPoolClient@${pools}`,
    ]);
    expect(appClients('revokeScimClient')).toEqual([`cognito-idp:DeleteUserPoolClient@${pools}`]);
    for (const id of ROUTE_IDS.filter((r) => r !== 'createScimClient' && r !== 'revokeScimClient')) {
      expect(appClients(id), id).toEqual([]);
    }
    // The SCIM function verifies the clients' tokens; it never manages clients.
    expect(grantsOf(scimFunctionId()).filter((g) => g.includes('UserPoolClient'))).toEqual([]);
  });

  it('lets a read route write nothing but the role-catalogue seed: PutItem on the profiles table', () => {
    // Authorising reads the tenant's role catalogue and seeds it on first use, so every route may put items
    // on the profiles table. IAM cannot tell the seed's items from a profile (dynamodb:LeadingKeys limits
    // the partition, the tenant, not the sort key): this pins the one write action; what it writes is the
    // role store's tests' business.
    const reads = ROUTE_IDS.filter((r) => ROUTES[r].method === 'GET');
    expect(reads.length).toBeGreaterThan(0);
    for (const id of reads) {
      const writes = grantsOf(functionId(id)).filter((g) => /Put|Update|Delete|Admin(?!Get)/.test(g));
      expect(writes, id).toEqual(['dynamodb:PutItem@PROFILES_TABLE']);
    }
  });

  it('uses no wildcard in any IAM action, and in a resource only the account’s pools and sender identities', () => {
    const patterns = new Set([poolsOf(built.config.region), sendersOf(built.config.region)]);
    for (const stackTemplate of [built.templates.stateful, template]) {
      const statements = [
        ...Object.values(stackTemplate.findResources('AWS::IAM::Policy')).flatMap(
          (p) => p.Properties.PolicyDocument.Statement,
        ),
        ...Object.values(stackTemplate.findResources('AWS::IAM::Role')).flatMap((r) =>
          (r.Properties.Policies ?? []).flatMap(
            (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
          ),
        ),
      ] as { Action: string | string[]; Resource: Json }[];
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
        for (const resource of [statement.Resource].flat()) {
          const rendered = render(resource, (node) => JSON.stringify(node));
          if (rendered.includes('*')) expect(patterns).toContain(rendered);
        }
      }
    }
  });

  it('lets the Cognito triggers touch the tables, read the pools’ managed login settings, and only the sign-up trigger link identities', () => {
    const stateful = built.templates.stateful.toJSON().Resources as Record<string, Resource>;
    const actions = Object.values(stateful)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      )
      .flatMap((s) => [s.Action].flat());
    // custom-message links its mails to a pool's managed login page, read from the pool (README "The mails");
    // pre-sign-up links a first SSO sign-in to its profile's login.
    expect(
      [...new Set(actions.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:')))].sort(),
    ).toEqual([
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminLinkProviderForUser',
      'cognito-idp:DescribeUserPool',
      'cognito-idp:DescribeUserPoolClient',
      'cognito-idp:ListUserPoolClients',
    ]);
  });
});

describe('stage', () => {
  it('throttles, logs errors and access in JSON without request data, on a regional endpoint', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: THROTTLING.rateLimit,
          ThrottlingBurstLimit: THROTTLING.burstLimit,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ],
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(stage?.Properties.AccessLogSetting.Format).not.toMatch(/authorization|header|body/i);
  });

  it('answers API Gateway’s own refusals as problem+json', () => {
    for (const [type, status] of [
      ['UNAUTHORIZED', '401'],
      ['ACCESS_DENIED', '403'],
      ['MISSING_AUTHENTICATION_TOKEN', '404'],
      ['THROTTLED', '429'],
    ]) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: status,
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
        }),
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp(`"status":${status}`) },
      });
    }
  });
});

describe('alarms', () => {
  it('raises an alarm on errors and on throttles of every function, the triggers, the SCIM function and the reconciler included, and on the job worker’s errors', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const watched = (metric: string) =>
      alarms
        .filter((a) => a.Properties.MetricName === metric && a.Properties.Namespace === 'AWS/Lambda')
        .map((a) => render(a.Properties.Dimensions[0].Value, (node) => meaning(node)));
    const ownFunctions = [...ROUTE_IDS.map(functionId), reconcilerId(), scimFunctionId()].map((id) => ({
      Ref: id,
    }));
    for (const metric of ['Errors', 'Throttles']) {
      const names = watched(metric);
      // The routes' functions, the reconciler, the SCIM function, the Cognito triggers and the registry writer;
      // the job worker's errors (its throttles are its schedule meeting a run under way, by design).
      const worker = metric === 'Errors' ? 1 : 0;
      expect(names).toHaveLength(ROUTE_IDS.length + 2 + Object.keys(TRIGGERS).length + 1 + worker);
      for (const fn of ownFunctions) expect(names).toContain(JSON.stringify(fn));
      expect(names.includes(JSON.stringify({ Ref: jobWorkerId() }))).toBe(worker === 1);
    }
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: idOf(built.stateless.alarmTopic.node.defaultChild) }],
      });
    }
  });

  it('mails the configured address and refuses unencrypted publishing', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@platform.example.com',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('reconciler', () => {
  const fn = () => resources[reconcilerId()] as Resource;
  const ruleId = () => ruleOf(reconcilerId());

  it('runs the reconcile job on Node.js 22, arm64, for up to five minutes, never two runs at once', () => {
    expect(fn().Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
    });
    const key = (fn().Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
    const map = JSON.parse(readFileSync(join(built.app.outdir, `asset.${key}`, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    expect(map.sources.some((source) => source.endsWith('lambdas/jobs/reconcile.ts'))).toBe(true);
  });

  it('gets the API functions’ environment, which their schema accepts (see "function environment")', () => {
    expect(fn().Properties.Environment).toEqual(resources[functionId('getMe')]?.Properties.Environment);
  });

  it('is invoked every 15 minutes by an EventBridge rule with an empty event, and by nothing else', () => {
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [reconcilerId(), 'Arn'] }, Input: '{}' })],
    });
    const invokers = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(r.Properties.FunctionName) ===
          JSON.stringify({ 'Fn::GetAtt': [reconcilerId(), 'Arn'] }),
    );
    expect(invokers.map((r) => r.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [reconcilerId(), 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId(), 'Arn'] },
      },
    ]);
  });

  it('leaves a failed or late run to the next one instead of retrying it', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: reconcilerId() },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 900,
    });
  });

  it('may list and repair logins on every tenant’s pool and rewrite a profile with its history, nothing more', () => {
    const repairs = [
      'ListUsers',
      'AdminDeleteUser',
      'AdminDisableProviderForUser',
      'AdminDisableUser',
      'AdminUserGlobalSignOut',
      'AdminEnableUser',
      'AdminUpdateUserAttributes',
    ];
    expect(grantsOf(reconcilerId())).toEqual(
      [
        ...repairs.map((action) => `cognito-idp:${action}@${poolsOf(built.config.region)}`),
        'dynamodb:Scan@TENANTS_TABLE',
        'dynamodb:Query@PROFILES_TABLE',
        'dynamodb:PutItem@PROFILES_TABLE',
        'dynamodb:UpdateItem@PROFILES_TABLE',
        'dynamodb:PutItem@HISTORY_TABLE',
      ].sort(),
    );
  });

  it.each([
    ['ReconcilerDrift', 'drift'],
    ['ReconcilerFailures', 'failed'],
  ])('counts %s from the "%s" field of its Reconciled lines, and raises an alarm on any', (metricName, field) => {
    const logGroup = (fn().Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logGroup },
      FilterPattern: `{ ($.message = "Reconciled") && ($.${field} > 0) }`,
      MetricTransformations: [
        { MetricNamespace: METRIC_NAMESPACE, MetricName: metricName, MetricValue: `$.${field}` },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: metricName,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: idOf(built.stateless.alarmTopic.node.defaultChild) }],
    });
  });
});

describe('job worker', () => {
  const fn = () => resources[jobWorkerId()] as Resource;

  it('runs the job worker on Node.js 22, arm64, for up to 15 minutes, never two runs at once', () => {
    expect(fn().Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
    });
    const key = (fn().Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
    const map = JSON.parse(readFileSync(join(built.app.outdir, `asset.${key}`, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    expect(map.sources.some((source) => source.endsWith('lambdas/jobs/job-worker.ts'))).toBe(true);
  });

  it('gets the API functions’ environment and the Cognito budget, which its schema accepts', () => {
    const variables = (fn().Properties.Environment as { Variables: Record<string, Json> }).Variables;
    const api = (
      resources[functionId('getMe')]?.Properties.Environment as { Variables: Record<string, Json> }
    ).Variables;
    expect({ ...variables, COGNITO_BUDGET: undefined }).toEqual({ ...api, COGNITO_BUDGET: undefined });
    expect(JSON.parse(variables.COGNITO_BUDGET as string)).toEqual(DEFAULT_COGNITO_BUDGET);
    expect(Object.keys(JobWorkerEnvironmentSchema.shape)).toEqual(expect.arrayContaining(['COGNITO_BUDGET']));
  });

  it('is started every minute by an EventBridge rule, a failed run retried twice', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [jobWorkerId(), 'Arn'] }, Input: '{}' })],
    });
    expect(ruleOf(jobWorkerId())).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: jobWorkerId() },
      MaximumRetryAttempts: 2,
    });
  });

  it('may do what the bulk actions and imports do, keep jobs and the shared pace, read the registry, nothing more', () => {
    const grants = grantsOf(jobWorkerId());
    expect(grants).toEqual(grantsNamed(JOBS.jobWorker.access, built.config.region).sort());
    // On every pool of the account by pattern, as the API functions: a job's tenant and pool come from the registry.
    expect(grants.filter((g) => g.startsWith('cognito-idp:')).sort()).toEqual(
      [
        'AdminCreateUser',
        'AdminGetUser',
        'AdminDeleteUser',
        'AdminDisableUser',
        'AdminUserGlobalSignOut',
        'AdminEnableUser',
        'AdminResetUserPassword',
      ]
        .map((action) => `cognito-idp:${action}@${poolsOf(built.config.region)}`)
        .sort(),
    );
    expect(grants.filter((g) => g.startsWith('dynamodb:')).sort()).toEqual(
      [
        'dynamodb:GetItem@PROFILES_TABLE',
        'dynamodb:Query@PROFILES_TABLE',
        'dynamodb:PutItem@PROFILES_TABLE',
        'dynamodb:UpdateItem@PROFILES_TABLE',
        'dynamodb:DeleteItem@PROFILES_TABLE',
        'dynamodb:PutItem@HISTORY_TABLE',
        'dynamodb:Query@JOBS_TABLE',
        'dynamodb:GetItem@JOBS_TABLE',
        'dynamodb:UpdateItem@JOBS_TABLE',
        'dynamodb:DeleteItem@JOBS_TABLE',
        'dynamodb:GetItem@TENANTS_TABLE',
      ].sort(),
    );
  });

  it.each([
    ['JobsStalled', '{ ($.message = "Job worker run") && ($.stalled > 0) }', '$.stalled'],
    ['JobItemErrors', '{ $.message = "Job item failed" }', '1'],
  ])('counts %s from its log lines, and raises an alarm on any', (metricName, pattern, value) => {
    const logGroup = (fn().Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logGroup },
      FilterPattern: pattern,
      MetricTransformations: [
        { MetricNamespace: METRIC_NAMESPACE, MetricName: metricName, MetricValue: value },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: metricName,
      Threshold: 1,
    });
  });
});
