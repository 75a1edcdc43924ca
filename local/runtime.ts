// The offline runtime: emulators, tables, pools, triggers, seed and HTTP API, started and stopped as one.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CognitoBudget } from '#adapters/cognito-pace.ts';
import { DynamoTenantRegistry } from '#adapters/dynamo-tenant-registry.ts';
import { purgePorts } from '#adapters/purge-ports.ts';
import { withSigningKeys } from '#adapters/signing-keys.ts';
import {
  HISTORY_TABLE,
  JOBS_TABLE,
  PROFILES_TABLE,
  TABLES,
  TENANTS_TABLE,
} from '#adapters/table-definitions.ts';
import {
  generatedTenants,
  loadTenantsConfig,
  registryRecord,
  type TenantConfig,
  TenantConfigSchema,
} from '#config/tenants.ts';
import { jwksFetcher } from '#http/token-verifier.ts';
import { PurgeRefused, purgeTenant } from '#services/purge-tenant.ts';
import { SCIM_RESOURCE_SERVER, SCIM_SCOPE_NAME } from '#services/scim-clients.ts';
import { apiDocsRoutes } from './api-docs.ts';
import { startApiServer } from './api-server.ts';
import { type LocalPool, startLocalCognito } from './cognito.ts';
import { type ConsoleServer, startConsoleServer } from './console-server.ts';
import { type DemoTenant, demoTenant } from './demo.ts';
import { ensureTables, localDynamoClient, startLocalDynamo } from './dynamodb.ts';
import { startLocalIdentityProvider } from './identity-provider.ts';
import { startLambdaInvokeServer } from './lambda-invoke.ts';
import { type LocalApp, startLocalApp } from './local-app.ts';
import { type ScheduledHandler, scheduleFunction } from './scheduled-function.ts';
import { seedAdmin } from './seed.ts';
import { startLocalSes } from './ses.ts';

/** `.local/environment.json`: the machine-readable description of a running offline Gatehouse. */
export interface Environment {
  apiUrl: string;
  /**
   * The offline platform endpoint `npm run tenants` talks to: GET lists, POST adds, POST …/retire retires, POST
   * …/purge purges a retired tenant.
   */
  tenantsUrl: string;
  /** The admin console, when started with it (`npm start`): `<consoleUrl>/t/<tenant>/users`. */
  consoleUrl?: string;
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
    /** Its pool's OAuth token endpoint: where a SCIM OAuth client takes its client-credentials grant. */
    tokenUrl: string;
    admin: { email: string; password: string };
    /**
     * The tenant's identity provider offline (single sign-on): its name on the login page, its issuer, the email
     * domain it signs in and the one password it takes for everyone of that domain.
     */
    sso?: { name: string; issuer: string; domain: string; password: string };
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
  /** DynamoDB Local keeps its tables in memory, not under dataDir (a test run's backend): faster, gone at stop. */
  dynamoInMemory?: boolean;
  /** Fixed ports; 0 or absent picks a free one. */
  ports?: Partial<Record<'api' | 'dynamodb' | 'cognito' | 'ses' | 'lambda' | 'app' | 'console', number>>;
  /** Also serve the built admin console (console/dist), its API calls passed to the API. */
  console?: boolean;
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
  /** Generated tenants (`t0001`…) to start with besides the configured ones, each with a pool and an admin. */
  generatedTenants?: number;
  /** How long a function instance trusts a registry read; offline default 1 s, so a retirement is felt at once. */
  tenantCacheSeconds?: number;
  /** Told whenever the environment changes (a tenant added): `npm start` rewrites environment.json. */
  onEnvironmentChange?: (environment: Environment) => void;
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
  PreSignUp: 'pre-sign-up',
  PreTokenGeneration: 'pre-token-generation',
} as const;

/** What the offline identity providers take from everyone of their domain, as development providers do. */
export const OFFLINE_SSO_PASSWORD = 'Offline-SSO-Password-1';
/** The client Cognito federates as at each offline identity provider. */
const SSO_CLIENT = { clientId: 'gatehouse-cognito', clientSecret: 'offline-client-secret' } as const;

export async function startGatehouse(options: StartOptions): Promise<Gatehouse> {
  if (options.reset) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const ports = options.ports ?? {};
  const config = loadTenantsConfig(options.tenantsFile);
  const configured = [...config.tenants, ...generatedTenants(options.generatedTenants ?? 0)];
  const tenants = configured.map((t) => demoTenant(config.region, t));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => console.error('offline stop:', e));
  };

  try {
    const dynamo = await startLocalDynamo({
      ...(options.dynamoInMemory ? {} : { dataDir: join(options.dataDir, 'dynamodb') }),
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
    const consoleServer = options.console ? await startConsoleServer({ port: ports.console }) : undefined;
    if (consoleServer) stops.push(consoleServer.stop);

    // Each tenant's OIDC provider stands in offline for its company's; Cognito federates with it. Its redirect URI
    // is Cognito's, known once Cognito listens: the provider reads it at its first request.
    let cognitoUrl = '';
    const providers = new Map<string, { name: string; issuer: string; domain: string }>();
    for (const t of tenants) {
      const sso = t.config.sso;
      if (sso?.type !== 'oidc') continue; // SAML providers are not run offline
      const domain = sso.domains[0] ?? `${t.config.id}.example.com`;
      const idp = await startLocalIdentityProvider({
        name: sso.name,
        domain,
        password: OFFLINE_SSO_PASSWORD,
        client: { ...SSO_CLIENT, redirectUris: () => [`${cognitoUrl}/oauth2/idpresponse`] },
      });
      stops.push(idp.stop);
      providers.set(t.config.id, { name: sso.name, issuer: idp.issuer, domain });
    }

    const ssoOf = (tenantId: string) => {
      const p = providers.get(tenantId);
      return p ? { sso: { name: p.name, issuer: p.issuer, ...SSO_CLIENT } } : {};
    };
    const cognito = await startLocalCognito({
      dataDir: join(options.dataDir, 'cognito'),
      port: ports.cognito,
      region: config.region,
      pools: tenants.map((t) => localPool(t, app, consoleServer, ssoOf(t.config.id))),
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
    cognitoUrl = cognito.url;
    /** The local app signs in to every tenant, those added while running included. */
    const refreshApp = () =>
      app.setTenants(
        tenants.map((t) => ({
          id: t.config.id,
          name: t.config.name,
          clientId: t.clientId,
          cognitoUrl: cognito.url,
        })),
      );
    /** The tenant's login page, landing in the local app: offline, every mail links to it. */
    const loginUrlOf = (t: DemoTenant) => {
      const url = new URL('/login', cognito.url);
      url.search = new URLSearchParams({
        client_id: t.clientId,
        response_type: 'code',
        scope: 'openid email profile',
        redirect_uri: app.callbackUrl(t.config.id),
      }).toString();
      return url.toString();
    };

    const functionEnvironment: Record<string, string> = {
      AWS_REGION: config.region,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url,
      AWS_ENDPOINT_URL_SESV2: ses.url,
      [PROFILES_TABLE.envVar]: tables[PROFILES_TABLE.envVar] as string,
      [HISTORY_TABLE.envVar]: tables[HISTORY_TABLE.envVar] as string,
      [TENANTS_TABLE.envVar]: tables[TENANTS_TABLE.envVar] as string,
      [JOBS_TABLE.envVar]: tables[JOBS_TABLE.envVar] as string,
      // Offline, a retired tenant is refused within a second (deployed: within the default 30 s).
      TENANT_CACHE_SECONDS: String(options.tenantCacheSeconds ?? 1),
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
    // The registry as the platform command sees it: never cached, so an add or a retire is read back at once.
    const registry = new DynamoTenantRegistry({
      client: dynamoClient,
      tableName: tables[TENANTS_TABLE.envVar] as string,
      cacheSeconds: 0,
    });
    const purgeOffline = purgePorts({ dynamo: dynamoClient, cognito: cognitoClient }, tables);
    const described: Environment['tenants'] = [];
    /** A tenant's pool (already made for those configured at start), its registry record and its admin. */
    const provision = async (tenant: DemoTenant) => {
      // A tenant added while running gets no offline identity provider: its people sign in by password.
      await cognito.addPool(localPool(tenant, app, consoleServer, ssoOf(tenant.config.id)));
      refreshApp();
      const issuer = cognito.issuer(tenant.userPoolId);
      const loginUrl = loginUrlOf(tenant);
      // Offline, every pool's OAuth endpoints are the one Cognito's (in AWS, each pool's domain has its own).
      const tokenUrl = `${cognito.url}/oauth2/token`;
      // With the pool's signing keys, as the deployed custom resource registers them.
      await registry.put(
        await withSigningKeys(
          registryRecord(
            tenant.config,
            { userPoolId: tenant.userPoolId, issuer, clientId: tenant.clientId, tokenUrl },
            loginUrl,
          ),
          jwksFetcher,
        ),
      );
      await seedAdmin(
        { cognito: cognitoClient, dynamo: documents },
        {
          profiles: tables[PROFILES_TABLE.envVar] as string,
          history: tables[HISTORY_TABLE.envVar] as string,
        },
        tenant,
      );
      const provider = providers.get(tenant.config.id);
      const entry = {
        id: tenant.config.id,
        name: tenant.config.name,
        userPoolId: tenant.userPoolId,
        clientId: tenant.clientId,
        issuer,
        loginUrl,
        tokenUrl,
        admin: { email: tenant.admin.email, password: tenant.admin.password },
        ...(provider ? { sso: { ...provider, password: OFFLINE_SSO_PASSWORD } } : {}),
      };
      described.push(entry);
      return entry;
    };
    for (const tenant of tenants) await provision(tenant);

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
        ...platformRoutes({
          list: () => registry.list(),
          retire: (id) => registry.retire(id),
          purge: async (id) => {
            const report = await purgeTenant(purgeOffline, id);
            // Gone from what npm start describes: the local app, the console's config.json, environment.json.
            tenants.splice(0, tenants.length, ...tenants.filter((t) => t.config.id !== id));
            described.splice(0, described.length, ...described.filter((t) => t.id !== id));
            refreshApp();
            connectConsole();
            options.onEnvironmentChange?.(environment);
            return report;
          },
          add: async (tenant) => {
            if (await registry.byId(tenant.id)) return undefined;
            const demo = demoTenant(config.region, tenant);
            tenants.push(demo);
            const entry = await provision(demo);
            connectConsole();
            options.onEnvironmentChange?.(environment);
            return entry;
          },
        }),
        '/health': (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok' }));
        },
      },
    });
    stops.push(api.stop);

    /** The console's config.json names every tenant's login, those added while running included. */
    const connectConsole = () =>
      consoleServer?.connect({
        apiUrl: api.url,
        tenants: described.map(({ id, name, issuer, clientId }) => ({ id, name, issuer, clientId })),
      });
    connectConsole();

    const environment: Environment = {
      apiUrl: api.url,
      tenantsUrl: `${api.url}${PLATFORM_PATH}`,
      ...(consoleServer ? { consoleUrl: consoleServer.url } : {}),
      region: config.region,
      endpoints: { cognito: cognito.url, dynamodb: dynamo.endpoint, ses: ses.url },
      mailboxUrl: ses.url,
      tenants: described,
      appUrl: app.url,
      tables,
      functionEnvironment,
    };
    return { environment, stop };
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

/**
 * A tenant's offline pool: its own applications' callback and sign-out URLs, as deployed, plus the local app's
 * and, when it runs, the admin console's (one URL for every tenant, as in AWS); its offline identity provider.
 */
function localPool(
  tenant: DemoTenant,
  app: Pick<LocalApp, 'callbackUrl' | 'signedOutUrl'>,
  consoleServer: Pick<ConsoleServer, 'callbackUrl' | 'signedOutUrl'> | undefined,
  sso: { sso?: LocalPool['sso'] },
): LocalPool {
  return {
    tenantId: tenant.config.id,
    name: tenant.config.name,
    userPoolId: tenant.userPoolId,
    clientId: tenant.clientId,
    passwordPolicy: tenant.config.passwordPolicy,
    mfa: tenant.config.mfa,
    callbackUrls: [
      ...(tenant.config.appClient?.callbackUrls ?? []),
      app.callbackUrl(tenant.config.id),
      ...(consoleServer ? [consoleServer.callbackUrl] : []),
    ],
    logoutUrls: [
      ...(tenant.config.appClient?.logoutUrls ?? []),
      app.signedOutUrl(tenant.config.id),
      ...(consoleServer ? [consoleServer.signedOutUrl] : []),
    ],
    // As every tenant stack declares it (lib/tenant-pool.ts): SCIM OAuth clients are granted its scope.
    resourceServers: [{ identifier: SCIM_RESOURCE_SERVER, name: 'Gatehouse', scopes: [SCIM_SCOPE_NAME] }],
    ...sso,
  };
}

/** Where the offline platform endpoint answers: on the API's loopback port, outside the route table. */
export const PLATFORM_PATH = '/local/tenants';

interface Platform {
  list(): Promise<unknown[]>;
  retire(id: string): Promise<unknown>;
  /** Throws PurgeRefused for an unknown or active tenant. */
  purge(id: string): Promise<unknown>;
  /** Undefined when the id is taken. */
  add(tenant: TenantConfig): Promise<unknown>;
}

/**
 * The offline stand-in for what `npm run tenants` does to a deployment (deploy a tenant's stack, write its
 * registry record, retire it): loopback only, like everything `npm start` serves.
 */
function platformRoutes(
  platform: Platform,
): Record<string, (req: IncomingMessage, res: ServerResponse) => void> {
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, {
      'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    });
    res.end(JSON.stringify(body));
  };
  const problem = (status: number, title: string, detail: string) => ({
    type: 'about:blank',
    title,
    status,
    detail,
  });
  const serve =
    (work: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      work(req, res).catch((error: unknown) =>
        send(
          res,
          500,
          problem(500, 'Internal error', error instanceof Error ? error.message : String(error)),
        ),
      );
    };
  return {
    [PLATFORM_PATH]: serve(async (req, res) => {
      if (req.method === 'GET') return send(res, 200, { tenants: await platform.list() });
      if (req.method !== 'POST') return send(res, 405, problem(405, 'Method not allowed', 'GET or POST'));
      const parsed = TenantConfigSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
        return send(res, 400, {
          ...problem(400, 'Invalid tenant', 'The tenant configuration is invalid.'),
          errors,
        });
      }
      const added = await platform.add(parsed.data);
      if (!added)
        return send(
          res,
          409,
          problem(409, 'Tenant exists', `Tenant ${parsed.data.id} is registered already.`),
        );
      send(res, 201, added);
    }),
    [`${PLATFORM_PATH}/retire`]: serve(async (req, res) => {
      if (req.method !== 'POST') return send(res, 405, problem(405, 'Method not allowed', 'POST'));
      const body = (await readJson(req)) as { id?: unknown };
      const retired = typeof body?.id === 'string' ? await platform.retire(body.id) : undefined;
      if (!retired) return send(res, 404, problem(404, 'No such tenant', `No tenant ${String(body?.id)}.`));
      send(res, 200, retired);
    }),
    [`${PLATFORM_PATH}/purge`]: serve(async (req, res) => {
      if (req.method !== 'POST') return send(res, 405, problem(405, 'Method not allowed', 'POST'));
      const body = (await readJson(req)) as { id?: unknown };
      if (typeof body?.id !== 'string')
        return send(res, 400, problem(400, 'Invalid purge', 'Name the tenant: { "id" }.'));
      try {
        send(res, 200, await platform.purge(body.id));
      } catch (error) {
        if (!(error instanceof PurgeRefused)) throw error;
        const status = error.reason === 'unknown' ? 404 : 409;
        send(
          res,
          status,
          problem(status, status === 404 ? 'No such tenant' : 'Tenant not retired', error.message),
        );
      }
    }),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    return null;
  }
}
