// The stateless stack: one function per route behind a REST API, the scheduled reconciler, and the alarms.
import {
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  Cors,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { CognitoBudgetSchema } from '#adapters/cognito-pace.ts';
import { ApiEnvironmentSchema, JobWorkerEnvironmentSchema } from '#adapters/environment.ts';
import { handlerFile, ROUTES, type RouteId, storesOf } from '#api/routes.ts';
import {
  SCIM_CLIENTS,
  SCIM_DIRECTORY,
  SCIM_HANDLER_FILE,
  SCIM_ROUTES,
  SCIM_STORES,
  type ScimRouteId,
} from '#api/scim-routes.ts';
import { paginates } from '#http/cursors.ts';
import { JOBS, ROUTE_ACCESS, routeAccess, SCIM_ACCESS, type TableKey } from './access.ts';
import { GatehouseFunction, LOG_RETENTION } from './gatehouse-function.ts';

export interface GatehouseStatelessStackProps extends StackProps {
  tables: Record<TableKey, ITable>;
  /** Functions of other stacks (the Cognito triggers) that get the same alarms as the routes' functions. */
  alsoAlarmOn: readonly IFunction[];
  /** Who is mailed when an alarm fires. */
  alarmEmail?: string;
  /** The admin console's origin (https://…): the one browser origin allowed to call the API (CORS). */
  consoleOrigin?: string;
}

/** Stage-wide limits, below the account's; a tenant's bulk work paces itself well under them. */
export const THROTTLING = { rateLimit: 100, burstLimit: 200 };

/**
 * How often the reconciler runs. A constant, like THROTTLING: an operational setting of the deployment, not a
 * tenant's. It leaves alone anything changed in its last 15 minutes (lambdas/jobs/reconcile.ts), so drift is
 * repaired within about two runs.
 */
export const RECONCILE_EVERY = Duration.minutes(15);

/**
 * Routes that may run longer than the default 10 s: a bulk action paces its Cognito calls (README "Bulk work
 * and Cognito's quotas"); API Gateway answers by 29 s, so the function may use all of it.
 */
const ROUTE_TIMEOUTS: Partial<Record<RouteId, Duration>> = { bulkUsers: Duration.seconds(29) };

/**
 * How often the job worker is started. A run lasts while there is work (up to its 15-minute timeout), so a
 * job waits at most this long to start when the worker is idle; the next tick resumes whatever a run left.
 */
export const JOB_WORKER_EVERY = Duration.minutes(1);

/** CDK context naming the job worker's Cognito budget (JSON, calls a second per quota category). */
export const COGNITO_BUDGET_CONTEXT = 'gatehouse:cognitoBudget';

/** Where the reconciler's log-derived metrics are published. */
export const METRIC_NAMESPACE = 'Gatehouse';

export class GatehouseStatelessStack extends Stack {
  readonly api: RestApi;
  readonly routeFunctions: Record<RouteId, GatehouseFunction>;
  /** Serves every route of the SCIM route table. */
  readonly scim: GatehouseFunction;
  readonly reconciler: GatehouseFunction;
  readonly jobWorker: GatehouseFunction;
  readonly alarmTopic: Topic;
  readonly cursorKeys: Secret;

  constructor(scope: Construct, id: string, props: GatehouseStatelessStackProps) {
    super(scope, id, props);
    const access = routeAccess(ROUTES, ROUTE_ACCESS);

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'gatehouse',
      description: "Gatehouse: tenants' administrators manage their users",
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logs need the account's API Gateway logging role (one per account and region).
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: THROTTLING.rateLimit,
        throttlingBurstLimit: THROTTLING.burstLimit,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Full request logging would write bearer tokens and bodies into the logs (DESIGN rule 6).
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
      },
      // The console's preflight requests are answered by API Gateway itself (no function, no token).
      ...(props.consoleOrigin
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [props.consoleOrigin],
              allowMethods: Cors.ALL_METHODS,
              allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    problemResponses(this.api, props.consoleOrigin);

    // No API Gateway authorizer: a Cognito authorizer lists every pool (and would change with each tenant), a
    // Lambda authorizer costs an invocation per uncached token. Each handler verifies the token itself, first
    // of all: the issuer names the tenant through the registry, the signature is checked against that
    // issuer's JWKS (both cached per instance), then the caller's current profile is read (DESIGN rule 2).
    // The console's origin is one for every tenant, so it does not grow with them either.
    const environment = {
      ...tableEnvironment(props.tables),
      ...(props.consoleOrigin ? { CONSOLE_ORIGIN: props.consoleOrigin } : {}),
    };

    // The keys that MAC page cursors (README "Page cursors"): `current` signs, `previous` is still accepted.
    // Only the paginated routes' functions may read it, and they read it on first use, not at cold start.
    this.cursorKeys = new Secret(this, 'CursorKeys', {
      description: "Gatehouse: keys of the API's page cursors ({ current, previous? })",
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'current',
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
    Validations.of(this.cursorKeys.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated by the operator as README "Page cursors" says (new current, old one kept as previous), so cursors in flight keep working; a rotation Lambda would be one more function for a key whose leak only lets someone page through lists they may already read.',
    });

    const functions: Partial<Record<RouteId, GatehouseFunction>> = {};
    for (const [routeId, route] of Object.entries(ROUTES) as [RouteId, (typeof ROUTES)[RouteId]][]) {
      const fn = new GatehouseFunction(this, pascal(routeId), {
        entry: `lambdas/api/handlers/${handlerFile(routeId)}`,
        clients: route.clients,
        stores: storesOf(route),
        directory: route.directory ?? [],
        description: `Gatehouse API: ${route.method} ${route.path}`,
        schema: ApiEnvironmentSchema,
        environment: paginates(route)
          ? { ...environment, CURSOR_KEYS_SECRET: this.cursorKeys.secretArn }
          : environment,
        timeout: ROUTE_TIMEOUTS[routeId],
      });
      fn.allow(access[routeId], { tables: props.tables });
      if (paginates(route)) this.cursorKeys.grantRead(fn.function);
      const method = this.api.root
        .resourceForPath(route.path)
        .addMethod(route.method, new LambdaIntegration(fn.function, { allowTestInvoke: false }), {
          authorizationType: AuthorizationType.NONE,
          operationName: routeId,
        });
      Validations.of(method.node.defaultChild as CfnResource).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason: HANDLER_VERIFIES,
        },
        {
          id: 'AwsSolutions-COG4',
          reason: HANDLER_VERIFIES,
        },
      );
      functions[routeId] = fn;
    }
    this.routeFunctions = functions as Record<RouteId, GatehouseFunction>;

    // ── SCIM 2.0 (README "SCIM provisioning") ───────────────────────────────────────────────────────────
    // One function for every SCIM route: a directory's calls come in bursts of a few kinds, which one warm
    // function serves better than fifteen cold ones. No Cognito authorizer: a directory holds no user's token;
    // the function checks the tenant's SCIM token (a hashed record under the tenant) on every request, and reads
    // the token's tenant from the registry: its environment holds tables only, like every other function's.
    this.scim = new GatehouseFunction(this, 'Scim', {
      entry: `lambdas/api/handlers/${SCIM_HANDLER_FILE}`,
      clients: SCIM_CLIENTS,
      stores: SCIM_STORES,
      directory: SCIM_DIRECTORY,
      description: "Gatehouse SCIM 2.0: provisioning from tenants' directories",
      schema: ApiEnvironmentSchema,
      // Not the console's origin: a directory calls server to server, never from the console.
      environment: tableEnvironment(props.tables),
    });
    this.scim.allow(SCIM_ACCESS, { tables: props.tables });
    const scimIntegration = new LambdaIntegration(this.scim.function, { allowTestInvoke: false });
    for (const [routeId, route] of Object.entries(SCIM_ROUTES) as [
      ScimRouteId,
      (typeof SCIM_ROUTES)[ScimRouteId],
    ][]) {
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, scimIntegration, {
        authorizationType: AuthorizationType.NONE,
        operationName: routeId,
      });
      Validations.of(method.node.defaultChild as CfnResource).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason:
            "A SCIM client (Entra ID, Okta) authenticates with the tenant's SCIM bearer token (verified against its hashed record) or its SCIM OAuth client's access token (verified against the tenant pool's keys, scope and client record), on every request in the function; a Cognito authorizer would need a user's token.",
        },
        {
          id: 'AwsSolutions-COG4',
          reason:
            "SCIM routes are authorised by the tenant's SCIM token or SCIM OAuth client, checked by the function, not by an API Gateway Cognito authorizer.",
        },
      );
    }

    // ── Reconciler (README "Consistency between Cognito and DynamoDB") ─────────────────────────────────
    this.reconciler = new GatehouseFunction(this, 'Reconciler', {
      entry: JOBS.reconcile.entry,
      clients: JOBS.reconcile.clients,
      stores: JOBS.reconcile.stores,
      directory: JOBS.reconcile.directory,
      description: "Gatehouse job: repairs drift between the tenants' Cognito logins and their profiles",
      schema: ApiEnvironmentSchema,
      environment,
      // A batch over every tenant's logins and profiles; well inside the interval, so runs cannot pile up.
      timeout: Duration.minutes(5),
      // Two runs at once would repair the same drift twice (and race each other's reads).
      reservedConcurrentExecutions: 1,
    });
    this.reconciler.allow(JOBS.reconcile.access, { tables: props.tables });
    // A failed or late run is not worth retrying: the next scheduled run is the retry.
    this.reconciler.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: RECONCILE_EVERY });
    // An EventBridge rule, not Scheduler: the rule invokes through the function's resource policy (scoped to
    // the rule's ARN), where Scheduler would need a role, and CDK's Scheduler target grants it `<function>:*`.
    new Rule(this, 'ReconcilerSchedule', {
      description: 'Runs the Gatehouse reconciler',
      schedule: Schedule.rate(RECONCILE_EVERY),
      // An empty event: the handler's default grace period.
      targets: [new LambdaFunction(this.reconciler.function, { event: RuleTargetInput.fromObject({}) })],
    });

    // ── Job worker (README "Jobs") ──────────────────────────────────────────────────────────────────────
    const budget = CognitoBudgetSchema.parse(this.node.tryGetContext(COGNITO_BUDGET_CONTEXT) ?? {});
    this.jobWorker = new GatehouseFunction(this, 'JobWorker', {
      entry: JOBS.jobWorker.entry,
      clients: JOBS.jobWorker.clients,
      stores: JOBS.jobWorker.stores,
      directory: JOBS.jobWorker.directory,
      description: "Gatehouse job: runs every tenant's bulk jobs and imports at the shared Cognito pace",
      schema: JobWorkerEnvironmentSchema,
      environment: { ...environment, COGNITO_BUDGET: JSON.stringify(budget) },
      timeout: Duration.minutes(15),
      memorySize: 512,
      // One run at a time serves every tenant in turn; a second would only contend for the same items.
      reservedConcurrentExecutions: 1,
    });
    this.jobWorker.allow(JOBS.jobWorker.access, { tables: props.tables });
    // A failed run is retried (its items resume from their records); ticks that find a run under way are
    // throttled and dropped after a while: the next tick starts the next run anyway.
    this.jobWorker.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.minutes(10) });
    new Rule(this, 'JobWorkerSchedule', {
      description: 'Starts the Gatehouse job worker',
      schedule: Schedule.rate(JOB_WORKER_EVERY),
      targets: [new LambdaFunction(this.jobWorker.function, { event: RuleTargetInput.fromObject({}) })],
    });

    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'Gatehouse alarms', enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    for (const [routeId, fn] of Object.entries(this.routeFunctions))
      this.alarmsOn(pascal(routeId), fn.function);
    for (const fn of props.alsoAlarmOn) this.alarmsOn(fn.node.scope?.node.id ?? fn.node.id, fn);
    this.alarmsOn('Reconciler', this.reconciler.function);
    this.alarmsOn('Scim', this.scim.function);
    // The worker's throttles are its schedule meeting a run under way, by design: its errors are what matter.
    this.alarm(
      'JobWorkerErrors',
      this.jobWorker.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    // Stuck: an active job nothing has moved for 15 minutes. Failing: items that failed for a reason of ours
    // (not the item's own, like a 409), after their retries.
    this.alarm('JobsStalled', this.logMetric(this.jobWorker, 'JobsStalled', 'Job worker run', 'stalled'));
    this.alarm('JobItemErrors', this.logMetric(this.jobWorker, 'JobItemErrors', 'Job item failed'));
    // Drift repaired means an operation went wrong somewhere; a repair that failed is drift left for a person.
    this.alarm('ReconcilerDrift', this.reconcilerMetric('ReconcilerDrift', 'drift'));
    this.alarm('ReconcilerFailures', this.reconcilerMetric('ReconcilerFailures', 'failed'));
    this.alarm('Api5xx', this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }));

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Gatehouse API base URL' });

    // Acknowledged cdk-nag findings, each on the one resource it concerns.
    Validations.of(this.api.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Every handler validates its path, query and body with strict zod schemas from the route table and answers RFC 9457 problem+json naming each bad field (DESIGN rule 5); an API Gateway validator would answer first, in its own format.',
    });
    Validations.of(this.api.deploymentStage.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF web ACL by default: every method needs a Cognito token and the stage is throttled; a web ACL (its rules, its cost) is the deploying team\'s choice, and README "Deploying to AWS" says how to attach one.',
    });
    Validations.of(this.api.node.findChild('CloudWatchRole').node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-wide logging role: AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it, and it grants log writes only.",
    });
  }

  /** Errors and throttles of one function: any in five minutes raises the alarm. */
  private alarmsOn(name: string, fn: IFunction): void {
    this.alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }));
    this.alarm(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }));
  }

  /** The sum of a numeric field of the reconciler's per-tenant 'Reconciled' log lines, where it is above 0. */
  private reconcilerMetric(metricName: string, field: 'drift' | 'failed'): IMetric {
    const filter = new MetricFilter(this, `${metricName}Filter`, {
      logGroup: this.reconciler.logGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.message', '=', 'Reconciled'),
        FilterPattern.numberValue(`$.${field}`, '>', 0),
      ),
      metricNamespace: METRIC_NAMESPACE,
      metricName,
      metricValue: `$.${field}`,
    });
    return filter.metric({ period: Duration.minutes(5), statistic: 'Sum' });
  }

  /** A metric from one function's log lines with `message`: the sum of `field`, or their count. */
  private logMetric(fn: GatehouseFunction, metricName: string, message: string, field?: string): IMetric {
    const filter = new MetricFilter(this, `${metricName}Filter`, {
      logGroup: fn.logGroup,
      filterPattern: field
        ? FilterPattern.all(
            FilterPattern.stringValue('$.message', '=', message),
            FilterPattern.numberValue(`$.${field}`, '>', 0),
          )
        : FilterPattern.stringValue('$.message', '=', message),
      metricNamespace: METRIC_NAMESPACE,
      metricName,
      metricValue: field ? `$.${field}` : '1',
    });
    return filter.metric({ period: Duration.minutes(5), statistic: 'Sum' });
  }

  private alarm(id: string, metric: IMetric): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    return alarm;
  }
}

/** Why no method has an API Gateway authorizer (README "Deploying": what it costs per request). */
const HANDLER_VERIFIES =
  "The function verifies every request's Cognito ID token before anything else (signature against the issuer's JWKS, issuer through the tenant registry, audience, token use, expiry) and the caller's current profile; a Cognito authorizer would list every tenant's pool (1,000) and change with each new tenant.";

function tableEnvironment(tables: Record<TableKey, ITable>): Record<TableKey, string> {
  return Object.fromEntries(Object.entries(tables).map(([key, table]) => [key, table.tableName])) as Record<
    TableKey,
    string
  >;
}

function problemResponses(api: RestApi, consoleOrigin: string | undefined): void {
  // API Gateway's own refusals (before any handler runs) answer problem+json like the handlers do.
  const base = 'https://gatehouse.dev/problems/';
  const problem = (type: string, title: string, status?: number) =>
    `{"type":"${base}${type}","title":"${title}",${status ? `"status":${status},` : ''}"detail":$context.error.messageString}`;
  const responses: [string, ResponseType, string | undefined, string][] = [
    ['Unauthorized', ResponseType.UNAUTHORIZED, '401', problem('unauthenticated', 'Not signed in', 401)],
    ['AccessDenied', ResponseType.ACCESS_DENIED, '403', problem('forbidden', 'Not allowed', 403)],
    // API Gateway answers a path it does not know with 403 "Missing Authentication Token".
    [
      'UnknownRoute',
      ResponseType.MISSING_AUTHENTICATION_TOKEN,
      '404',
      problem('route-not-found', 'Not found', 404),
    ],
    ['Throttled', ResponseType.THROTTLED, '429', problem('throttled', 'Too many requests', 429)],
    ['Default4xx', ResponseType.DEFAULT_4XX, undefined, problem('bad-request', 'Request refused')],
    ['Default5xx', ResponseType.DEFAULT_5XX, undefined, problem('internal', 'Internal error')],
  ];
  for (const [id, type, statusCode, template] of responses) {
    api.addGatewayResponse(id, {
      type,
      ...(statusCode ? { statusCode } : {}),
      responseHeaders: {
        'Content-Type': "'application/problem+json'",
        ...(type === ResponseType.UNAUTHORIZED ? { 'WWW-Authenticate': "'Bearer'" } : {}),
        // So the console can read API Gateway's own refusals (an expired token's 401) too.
        ...(consoleOrigin ? { 'Access-Control-Allow-Origin': `'${consoleOrigin}'` } : {}),
      },
      templates: { 'application/json': template },
    });
  }
}

function accessLogFormat(): AccessLogFormat {
  // No headers, tokens or bodies: who (pool and subject), what, and how it went.
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      ip: AccessLogField.contextIdentitySourceIp(),
      method: AccessLogField.contextHttpMethod(),
      resource: AccessLogField.contextResourcePath(),
      status: AccessLogField.contextStatus(),
      responseLength: AccessLogField.contextResponseLength(),
      latency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      error: AccessLogField.contextErrorMessage(),
      errorType: AccessLogField.contextErrorResponseType(),
    }),
  );
}

const pascal = (id: string) => `${id[0]?.toUpperCase()}${id.slice(1)}`;
