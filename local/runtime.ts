// The offline runtime: emulators, tables, pools, triggers, seed and HTTP API, started and stopped as one.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CognitoBudget } from '#adapters/cognito-pace.ts';
import type { TenantEntry } from '#adapters/environment.ts';
import { HISTORY_TABLE, JOBS_TABLE, PROFILES_TABLE, TABLES } from '#adapters/table-definitions.ts';
import { loadTenantsConfig } from '#config/tenants.ts';
import { apiDocsRoutes } from './api-docs.ts';
import { startApiServer } from './api-server.ts';
import { startLocalCognito } from './cognito.ts';
import { demoTenant } from './demo.ts';
import { ensureTables, localDynamoClient, startLocalDynamo } from './dynamodb.ts';
import { startLambdaInvokeServer } from './lambda-invoke.ts';
import { startLocalApp } from './local-app.ts';
import { type ScheduledHandler, scheduleFunction } from './scheduled-function.ts';
import { seedAdmin } from './seed.ts';
import { startLocalSes } from './ses.ts';

/** `.local/environment.json`: the machine-readable description of a running offline Gatehouse. */
export interface Environment {
  apiUrl: string;
  region: string;
  endpoints: { cognito: string; dynamodb: string; ses: string };
  mailboxUrl: string;
  tenants: {
    id: string;
    name: string;
    userPoolId: string;
    clientId: string;
    issuer: string;
    /** The tenant's login page: what a person opens to sign in (the welcome mail links to it), landing in the local app. */
    loginUrl: string;
    admin: { email: string; password: string };
  }[];
  /** The local application signed-in people land in. */
  appUrl: string;
  tables: Record<string, string>;
  /** The environment the functions run with here: to run a function (the reconciler, a test) against this backend. */
  functionEnvironment: Record<string, string>;
}

export interface StartOptions {
  /** Where the emulators keep their data between starts. */
  dataDir: string;
  /** Wipe dataDir first. */
  reset?: boolean;
  /** Fixed ports; 0 or absent picks a free one. */
  ports?: Partial<Record<'api' | 'dynamodb' | 'cognito' | 'ses' | 'lambda' | 'app', number>>;
  tenantsFile?: string | URL;
  /**
   * The job worker's settings (its environment): the shared Cognito budget (calls a second per quota category;
   * default the deployment's), items at once, and how long a stopped worker's item stays held.
   */
  jobs?: {
    budget?: Partial<CognitoBudget>;
    lanes?: number;
    itemLeaseMs?: number;
    everyMs?: number;
    /** false: no worker runs, jobs stay queued (to count the other functions' calls without its own). */
    worker?: boolean;
  };
}

export interface Gatehouse {
  environment: Environment;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const TRIGGERS = {
  CustomMessage: 'custom-message',
  PreAuthentication: 'pre-authentication',
  PostAuthentication: 'post-authentication',
  PreTokenGeneration: 'pre-token-generation',
} as const;

export async function startGatehouse(options: StartOptions): Promise<Gatehouse> {
  if (options.reset) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const ports = options.ports ?? {};
  const config = loadTenantsConfig(options.tenantsFile);
  const tenants = config.tenants.map((t) => demoTenant(config.region, t));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => console.error('offline stop:', e));
  };

  try {
    const dynamo = await startLocalDynamo({
      dataDir: join(options.dataDir, 'dynamodb'),
      port: ports.dynamodb,
    });
    stops.push(dynamo.stop);
    const dynamoClient = localDynamoClient(dynamo.endpoint);
    const tables = await ensureTables(dynamoClient, 'gatehouse-', TABLES);

    const ses = await startLocalSes({ port: ports.ses });
    stops.push(ses.stop);
    const sesClient = new SESv2Client({ endpoint: ses.url, region: config.region, credentials: CREDENTIALS });

    // Trigger modules read the function environment when loaded, so they load on first invocation,
    // after process.env below is complete.
    const trigger = (name: string) => async (event: unknown, context: unknown) => {
      const module = (await import(new URL(`../lambdas/triggers/${name}.ts`, import.meta.url).href)) as {
        handler: (event: unknown, context: unknown) => Promise<unknown>;
      };
      return module.handler(event, context);
    };
    const lambda = await startLambdaInvokeServer(
      Object.fromEntries(Object.values(TRIGGERS).map((name) => [name, trigger(name)])),
      ports.lambda,
    );
    stops.push(lambda.stop);

    // Started before Cognito, so its callback URLs can be registered on the app clients.
    const app = await startLocalApp(ports.app);
    stops.push(app.stop);

    const cognito = await startLocalCognito({
      dataDir: join(options.dataDir, 'cognito'),
      port: ports.cognito,
      region: config.region,
      pools: tenants.map((t) => ({
        tenantId: t.config.id,
        name: t.config.name,
        userPoolId: t.userPoolId,
        clientId: t.clientId,
        passwordPolicy: t.config.passwordPolicy,
        // The tenant's own applications, as deployed, plus the local one.
        callbackUrls: [...(t.config.appClient?.callbackUrls ?? []), app.callbackUrl(t.config.id)],
        logoutUrls: [...(t.config.appClient?.logoutUrls ?? []), app.signedOutUrl(t.config.id)],
      })),
      lambdaEndpoint: lambda.url,
      triggers: TRIGGERS,
      // Cognito's mails (welcome, reset codes) go out through SES, as a pool configured with an SES sender does.
      sendMail: async (mail) => {
        const from =
          tenants.find((t) => t.userPoolId === mail.userPoolId)?.config.mailFrom ??
          'no-reply@gatehouse.local';
        await sesClient.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: [mail.to] },
            Content: {
              Simple: {
                Subject: { Data: mail.subject },
                Body: { Text: { Data: mail.text }, ...(mail.html ? { Html: { Data: mail.html } } : {}) },
              },
            },
          }),
        );
      },
    });
    stops.push(cognito.stop);
    app.setTenants(
      tenants.map((t) => ({
        id: t.config.id,
        name: t.config.name,
        clientId: t.clientId,
        cognitoUrl: cognito.url,
      })),
    );
    const loginUrls = Object.fromEntries(
      tenants.map((t) => {
        const url = new URL('/login', cognito.url);
        url.search = new URLSearchParams({
          client_id: t.clientId,
          response_type: 'code',
          scope: 'openid email profile',
          redirect_uri: app.callbackUrl(t.config.id),
        }).toString();
        return [t.config.id, url.toString()];
      }),
    );

    const entries: TenantEntry[] = tenants.map((t) => ({
      id: t.config.id,
      name: t.config.name,
      userPoolId: t.userPoolId,
      issuer: cognito.issuer(t.userPoolId),
      clientIds: [t.clientId],
      passwordPolicy: t.config.passwordPolicy,
      mailFrom: t.config.mailFrom,
      features: t.config.features,
      organisation: t.config.organisation,
      licences: t.config.licences,
      licenceRequired: t.config.licenceRequired,
    }));
    const functionEnvironment: Record<string, string> = {
      AWS_REGION: config.region,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url,
      AWS_ENDPOINT_URL_SESV2: ses.url,
      [PROFILES_TABLE.envVar]: tables[PROFILES_TABLE.envVar] as string,
      [HISTORY_TABLE.envVar]: tables[HISTORY_TABLE.envVar] as string,
      [JOBS_TABLE.envVar]: tables[JOBS_TABLE.envVar] as string,
      TENANTS: JSON.stringify(entries),
      TENANT_NAMES: JSON.stringify(Object.fromEntries(tenants.map((t) => [t.config.id, t.config.name]))),
      // Offline, every mail links to the local login page, whatever application a tenant configures.
      SIGN_IN_URLS: JSON.stringify(loginUrls),
      LICENCE_REQUIRED_TENANTS: JSON.stringify(
        tenants.filter((t) => t.config.licenceRequired).map((t) => t.config.id),
      ),
      CURSOR_KEYS_FILE: cursorKeysFile(options.dataDir),
      COGNITO_BUDGET: JSON.stringify(options.jobs?.budget ?? {}),
      ...(options.jobs?.lanes ? { JOB_LANES: String(options.jobs.lanes) } : {}),
      ...(options.jobs?.itemLeaseMs ? { JOB_ITEM_LEASE_MS: String(options.jobs.itemLeaseMs) } : {}),
    };
    Object.assign(process.env, functionEnvironment);

    const cognitoClient = new CognitoIdentityProviderClient({
      endpoint: cognito.url,
      region: config.region,
      credentials: CREDENTIALS,
    });
    const documents = DynamoDBDocumentClient.from(dynamoClient, {
      marshallOptions: { removeUndefinedValues: true },
    });
    for (const tenant of tenants) {
      await seedAdmin(
        { cognito: cognitoClient, dynamo: documents },
        {
          profiles: tables[PROFILES_TABLE.envVar] as string,
          history: tables[HISTORY_TABLE.envVar] as string,
        },
        tenant,
      );
    }

    // The job worker as deployed: one run at a time, started by a rate rule (offline every half second rather
    // than every minute, so a job starts at once), failed runs retried. Loaded once the environment is set.
    if (options.jobs?.worker !== false) {
      const worker = (await import(new URL('../lambdas/jobs/job-worker.ts', import.meta.url).href)) as {
        handler: ScheduledHandler;
      };
      const jobWorker = scheduleFunction(worker.handler, {
        everyMs: options.jobs?.everyMs ?? 500,
        timeoutMs: 15 * 60_000,
        retryDelayMs: 1000,
        onError: (error) => console.error('offline job worker: run failed', error),
      });
      stops.push(jobWorker.stop);
    }

    // The API starts last, so /health answering 200 means everything behind it is ready.
    const api = await startApiServer({
      port: ports.api,
      extra: {
        ...apiDocsRoutes(),
        '/health': (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok' }));
        },
      },
    });
    stops.push(api.stop);

    return {
      environment: {
        apiUrl: api.url,
        region: config.region,
        endpoints: { cognito: cognito.url, dynamodb: dynamo.endpoint, ses: ses.url },
        mailboxUrl: ses.url,
        tenants: tenants.map((t, i) => ({
          id: t.config.id,
          name: t.config.name,
          userPoolId: t.userPoolId,
          clientId: t.clientId,
          issuer: entries[i]?.issuer as string,
          loginUrl: loginUrls[t.config.id] as string,
          admin: { email: t.admin.email, password: t.admin.password },
        })),
        appUrl: app.url,
        tables,
        functionEnvironment,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The page cursors' keys, as the deployed secret holds them: made once per data folder (so cursors survive a
 * restart; `--reset` and each test run make new ones). Rotate by hand: move `current` to `previous`, put a new
 * `current` (32+ characters), restart.
 */
function cursorKeysFile(dataDir: string): string {
  const path = join(dataDir, 'cursor-keys.json');
  if (!existsSync(path)) {
    writeFileSync(path, JSON.stringify({ current: randomBytes(32).toString('base64url') }), { mode: 0o600 });
  }
  return path;
}
