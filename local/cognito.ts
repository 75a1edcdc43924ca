// The offline Cognito: cognito-local 5.3.0 composed in-process, with fixed pools, mail delivery and AWS's checks.

import { mkdir, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Config } from 'cognito-local/lib/server/config.js';
import { Router } from 'cognito-local/lib/server/Router.js';
import { createServer } from 'cognito-local/lib/server/server.js';
import type { AppClient } from 'cognito-local/lib/services/appClient.js';
import { DateClock } from 'cognito-local/lib/services/clock.js';
import {
  type CognitoService,
  CognitoServiceFactoryImpl,
  USER_POOL_AWS_DEFAULTS,
} from 'cognito-local/lib/services/cognitoService.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { CryptoService } from 'cognito-local/lib/services/crypto.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import { otp } from 'cognito-local/lib/services/otp.js';
import { JwtTokenGenerator, type TokenConfig } from 'cognito-local/lib/services/tokenGenerator.js';
import { TriggersService } from 'cognito-local/lib/services/triggers/triggers.js';
import { type UserPool, UserPoolServiceFactoryImpl } from 'cognito-local/lib/services/userPoolService.js';
import { pino } from 'pino';
import { withAwsParity } from './cognito/aws-parity.ts';
import { CoalescingDataStoreFactory } from './cognito/data-store.ts';
import { Federation } from './cognito/federation.ts';
import { type HostedLogin, hostedLogin, type IdentityProviderStep } from './cognito/hosted/index.ts';
import { IdentityLinks } from './cognito/identity-links.ts';
import { MailMessages } from './cognito/messages.ts';
import type { PasswordPolicy } from './cognito/password-policy.ts';
import type { ResourceServer } from './cognito/resource-servers.ts';
import { TokenLedger } from './cognito/tokens.ts';
import { AwsLambdaService, awsTriggers } from './cognito/triggers.ts';
import { listenOnLoopback, stopper } from './free-port.ts';

export interface LocalPool {
  tenantId: string;
  name: string;
  /** AWS-shaped, e.g. 'us-east-1_AcmeLocal': aws-jwt-verify rejects cognito-local's own `local_…` ids. */
  userPoolId: string;
  /** The pool's one app client, with this fixed id. */
  clientId: string;
  passwordPolicy: PasswordPolicy;
  /** The tenant's `mfa`: Cognito's MfaConfiguration OFF, OPTIONAL (TOTP for those who set it up) or ON. */
  mfa?: 'off' | 'optional' | 'required';
  /** Where the hosted login may send people back after sign-in and sign-out: exact URLs, as Cognito matches them. */
  callbackUrls?: string[];
  logoutUrls?: string[];
  /** The pool's OIDC identity provider (single sign-on), offered on the login page as `Sign in with <name>`. */
  sso?: { name: string; issuer: string; clientId: string; clientSecret: string };
  /** Its resource servers (custom scopes for app clients and the client-credentials grant), as its stack declares them. */
  resourceServers?: ResourceServer[];
}

export interface LocalMail {
  /** The pool whose message this is, so the sender can pick the tenant's From address. */
  userPoolId: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * The triggers the offline Cognito invokes. PreAuthentication is Gatehouse's own addition to cognito-local;
 * PreTokenGeneration is cognito-local's, honoured (as AWS's V1 event) on the ID token only.
 */
export type LocalTrigger =
  | 'CustomMessage'
  | 'PreAuthentication'
  | 'PostAuthentication'
  | 'PreSignUp'
  | 'PreTokenGeneration'
  | 'PostConfirmation';

export interface LocalCognitoOptions {
  /** Persistent folder, like cognito-local's `.cognito`: `config.json` and `db/<poolId>.json`, `db/clients.json`. */
  dataDir: string;
  /** 0 or undefined: a free port on 127.0.0.1. */
  port?: number;
  region: string;
  /** Each is ensured at start: created if missing, brought in line with this config if not. Users are kept. */
  pools: LocalPool[];
  /** Base URL of a Lambda Invoke endpoint (POST /2015-03-31/functions/NAME/invocations). */
  lambdaEndpoint: string;
  /** Trigger -> function name at lambdaEndpoint; applies to every pool, as in cognito-local. */
  triggers: Partial<Record<LocalTrigger, string>>;
  /** Receives every mail Cognito would send (welcome mail with temporary password, reset codes…). */
  sendMail: (mail: LocalMail) => Promise<void>;
  /** cognito-local's own log (pino); 'silent' by default. */
  logLevel?: 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug';
  /** Steps for `identity_provider` values other than COGNITO on the login page (federation), by provider name. */
  identityProviders?: Record<string, IdentityProviderStep>;
}

export interface LocalCognito {
  url: string;
  /** The hosted login (OAuth endpoints and login pages), for modules that extend it. */
  hostedLogin: HostedLogin;
  issuer(userPoolId: string): string;
  /** Creates (or brings in line) one more pool while running: a tenant added without a restart. */
  addPool(pool: LocalPool): Promise<void>;
  stop(): Promise<void>;
}

// aws-jwt-verify's own pattern for a user pool id.
const USER_POOL_ID = /^(?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d_[a-zA-Z0-9]+$/;
const ACCOUNT = '000000000000';

export async function startLocalCognito(opts: LocalCognitoOptions): Promise<LocalCognito> {
  checkPools(opts.pools);
  const logger = pino({ level: opts.logLevel ?? 'silent' });
  const ctx: Context = { logger };
  const dbDir = join(opts.dataDir, 'db');
  await mkdir(dbDir, { recursive: true });

  const clock = new DateClock();
  // Pool files written one at a time, saves under way carried together (cognito/data-store.ts).
  const dataStores = new CoalescingDataStoreFactory(dbDir);
  const userPoolDefaults = { UsernameAttributes: ['email'] };
  // Finds the pools already on disk by their file names; ensurePool adds the missing ones under their fixed ids.
  const cognito = await new CognitoServiceFactoryImpl(
    dbDir,
    dataStores,
    new UserPoolServiceFactoryImpl(clock, dataStores),
  ).create(ctx, userPoolDefaults);
  for (const pool of opts.pools) await ensurePool(ctx, cognito, pool, opts.region, clock.get());

  const lambdaClient = {
    endpoint: opts.lambdaEndpoint,
    region: opts.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // A retried trigger would run twice (two welcome mails); AWS does not retry a synchronous trigger either.
    maxRetries: 0,
    httpOptions: { timeout: 30_000 },
  };
  const lambda = new AwsLambdaService(opts.triggers, new (loadLambdaClient())(lambdaClient), opts.region);
  const triggers = awsTriggers(new TriggersService(clock, cognito, lambda, noCustomEmailSender), lambda);
  // Filled in once the port is known: the token generator reads it on every sign-in.
  const tokenConfig: TokenConfig = {};
  // Knows when each access token was issued, for revoking them at a global sign-out.
  const ledger = new TokenLedger(clock);
  const config: Config = {
    LambdaClient: lambdaClient,
    TriggerFunctions: opts.triggers,
    UserPoolDefaults: userPoolDefaults,
    TokenConfig: tokenConfig,
    ServerConfig: { hostname: '127.0.0.1', port: opts.port ?? 0, https: false },
  };
  const services: Services = {
    clock,
    cognito,
    config,
    messages: new MailMessages(cognito, triggers, opts.sendMail),
    otp,
    tokenGenerator: ledger.recording(new JwtTokenGenerator(clock, triggers, tokenConfig)),
    triggers,
  };
  // cognito-local's types name its own pino (v7); the project's pino 10 logger has the methods it calls.
  const serverLogger = logger as unknown as Parameters<typeof createServer>[1];
  const ssoOf = (userPoolId: string) => opts.pools.find((p) => p.userPoolId === userPoolId)?.sso;
  // Every pool this Cognito serves, those added while running included.
  const known = new Map(opts.pools.map((p) => [p.userPoolId, p]));
  const resourceServers = (userPoolId: string) => known.get(userPoolId)?.resourceServers ?? [];
  const identityLinks = new IdentityLinks(
    (userPoolId) => {
      const sso = ssoOf(userPoolId);
      return sso ? { [sso.name]: 'OIDC' } : {};
    },
    () => clock.get(),
  );
  const router = withAwsParity(Router(services), {
    ...services,
    triggers,
    ledger,
    identityLinks,
    resourceServers,
  });
  const app = createServer(router, serverLogger, config.ServerConfig, services).application as (
    req: IncomingMessage,
    res: ServerResponse,
  ) => void;

  // Federation with each pool's identity provider, as Cognito runs it: login page → provider → /oauth2/idpresponse.
  const federation = new Federation(
    {
      ctx,
      cognito,
      triggers,
      lambda,
      tokenGenerator: services.tokenGenerator,
      oauth: () => login.oauth,
      now: () => clock.get().getTime(),
      baseUrl: () => tokenConfig.IssuerDomain ?? '',
    },
    opts.pools.flatMap((p) => (p.sso ? [{ userPoolId: p.userPoolId, ...p.sso }] : [])),
  );
  // The hosted login replaces cognito-local's own (unsafe, and blind to every check above): its pages call the
  // same parity-wrapped router the SDK reaches, so a sign-in on the page is a sign-in through the API.
  const login = hostedLogin(
    {
      ctx,
      cognito,
      call: (target, body) => router(target)(ctx, body),
      tokenGenerator: services.tokenGenerator,
      now: () => clock.get().getTime(),
      baseUrl: () => tokenConfig.IssuerDomain ?? '',
      resourceServers,
    },
    { identityProviders: { ...federation.steps(), ...opts.identityProviders } },
  );
  const server = createHttpServer((req, res) => {
    federation
      .handle(req, res)
      .then((handled) => handled || login.handle(req, res))
      .then(
        (handled) => {
          if (!handled) app(req, res);
        },
        () => res.destroy(),
      );
  });
  const url = await listenOnLoopback(server, opts.port ?? 0);
  tokenConfig.IssuerDomain = url;
  // Written for whoever inspects the folder: which endpoint and functions this Cognito was wired to.
  await writeFile(join(opts.dataDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return {
    url,
    hostedLogin: login,
    issuer: (userPoolId) => `${url}/${userPoolId}`,
    addPool: async (pool) => {
      checkPools([...new Map([...known, [pool.userPoolId, pool]]).values()]);
      await ensurePool(ctx, cognito, pool, opts.region, clock.get());
      known.set(pool.userPoolId, pool);
    },
    stop: stopper(server),
  };
}

function checkPools(pools: LocalPool[]): void {
  for (const pool of pools) {
    if (!USER_POOL_ID.test(pool.userPoolId)) {
      throw new Error(
        `User pool id ${pool.userPoolId} is not AWS-shaped (region_Id): token verifiers refuse it`,
      );
    }
  }
  const unique = (ids: string[]) => new Set(ids).size === ids.length;
  if (!unique(pools.map((p) => p.userPoolId)) || !unique(pools.map((p) => p.clientId))) {
    throw new Error('Local pools need distinct user pool ids and client ids');
  }
}

/** Creates the pool and its app client under their fixed ids, or updates what this config manages. */
async function ensurePool(ctx: Context, cognito: CognitoService, pool: LocalPool, region: string, now: Date) {
  const desired = poolOptions(pool, region);
  const existing = (await cognito.listUserPools(ctx)).find((p) => p.Id === pool.userPoolId);
  if (!existing) {
    await cognito.createUserPool(ctx, { ...desired, CreationDate: now, LastModifiedDate: now });
  } else if (!includes(existing, desired)) {
    const service = await cognito.getUserPool(ctx, pool.userPoolId);
    await service.updateOptions(ctx, { ...existing, ...desired, LastModifiedDate: now });
  }

  const client = appClient(pool);
  const existingClient = await cognito.getAppClient(ctx, pool.clientId);
  if (existingClient && existingClient.UserPoolId !== pool.userPoolId) {
    throw new Error(`App client ${pool.clientId} already belongs to pool ${existingClient.UserPoolId}`);
  }
  if (!existingClient || !includes(existingClient, client)) {
    const service = await cognito.getUserPool(ctx, pool.userPoolId);
    await service.saveAppClient(ctx, {
      ...client,
      CreationDate: existingClient?.CreationDate ?? now,
      LastModifiedDate: now,
    });
  }
}

function poolOptions(pool: LocalPool, region: string): UserPool {
  const policy = pool.passwordPolicy;
  const customAttribute = (name: string) => ({
    Name: `custom:${name}`,
    AttributeDataType: 'String',
    DeveloperOnlyAttribute: false,
    // As the deployed pools: mutable, or AdminLinkProviderForUser would refuse every Gatehouse login.
    Mutable: true,
    Required: false,
    StringAttributeConstraints: { MinLength: '1', MaxLength: '256' },
  });
  return {
    Id: pool.userPoolId,
    Name: pool.name,
    Arn: `arn:aws:cognito-idp:${region}:${ACCOUNT}:userpool/${pool.userPoolId}`,
    // Users sign in with their email; Cognito's username is then a generated sub, as in AWS.
    UsernameAttributes: ['email'],
    UsernameConfiguration: { CaseSensitive: false },
    Policies: {
      PasswordPolicy: {
        MinimumLength: policy.minimumLength,
        RequireUppercase: policy.requireUppercase,
        RequireLowercase: policy.requireLowercase,
        RequireNumbers: policy.requireNumbers,
        RequireSymbols: policy.requireSymbols,
        TemporaryPasswordValidityDays: policy.temporaryPasswordValidityDays,
      },
    },
    // cognito-local merges arrays by index, so the standard attributes come first, unchanged.
    SchemaAttributes: [
      ...(USER_POOL_AWS_DEFAULTS.SchemaAttributes ?? []),
      customAttribute('tenantId'),
      customAttribute('userId'),
    ],
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    MfaConfiguration: MFA_CONFIGURATION[pool.mfa ?? 'off'],
    UserPoolTags: { 'gatehouse:tenant': pool.tenantId },
  };
}

const MFA_CONFIGURATION = { off: 'OFF', optional: 'OPTIONAL', required: 'ON' } as const satisfies Record<
  NonNullable<LocalPool['mfa']>,
  string
>;

function appClient(pool: LocalPool): Omit<AppClient, 'CreationDate' | 'LastModifiedDate'> {
  return {
    UserPoolId: pool.userPoolId,
    ClientId: pool.clientId,
    ClientName: `${pool.tenantId}-app`,
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    // As the deployed app client: the authorization code grant on the hosted login, for these exact URLs.
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    SupportedIdentityProviders: ['COGNITO', ...(pool.sso ? [pool.sso.name] : [])],
    CallbackURLs: pool.callbackUrls ?? [],
    LogoutURLs: pool.logoutUrls ?? [],
    // AWS's defaults for a new app client.
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    RefreshTokenValidity: 30,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  };
}

/** Whether `actual` holds everything in `expected` (arrays exactly), so unmanaged fields are left alone. */
function includes(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => includes(actual[i], e))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => includes(record[key], value));
  }
  return Object.is(actual, expected);
}

/**
 * cognito-local's LambdaService needs an aws-sdk v2 Lambda client. Loaded here, not imported, so the SDK's
 * end-of-support notice (a timer started on load) can be silenced before it fires.
 */
function loadLambdaClient(): typeof import('aws-sdk/clients/lambda.js') {
  const require = createRequire(import.meta.url);
  const notice: { suppress: boolean } = require('aws-sdk/lib/maintenance_mode_message.js');
  notice.suppress = true;
  return require('aws-sdk/clients/lambda.js');
}

/** CustomEmailSender needs KMS; Gatehouse uses CustomMessage, so the crypto service is never reached. */
const noCustomEmailSender: CryptoService = {
  get keyringNode(): never {
    throw new Error('CustomEmailSender is not supported offline');
  },
  encrypt: () => Promise.reject(new Error('CustomEmailSender is not supported offline')),
};
