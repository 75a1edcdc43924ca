// Federation, as Cognito runs it for an OIDC identity provider: the login page sends the browser to the provider,
// the provider sends it back to /oauth2/idpresponse, Cognito signs the person in (first time: PreSignUp_ExternalProvider,
// PostConfirmation, PreTokenGeneration; later: PreAuthentication, PostAuthentication, PreTokenGeneration) and the
// application gets its code, or the trigger's refusal at its redirect URI.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CognitoError } from 'cognito-local/lib/errors.js';
import type { CognitoService } from 'cognito-local/lib/services/cognitoService.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { TokenGenerator } from 'cognito-local/lib/services/tokenGenerator.js';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DISABLED } from './aws-errors.ts';
import { type Authorization, type AuthorizationRequest, errorRedirect } from './hosted/authorization.ts';
import { randomId, redirect } from './hosted/http.ts';
import type { IdentityProviderStep } from './hosted/index.ts';
import type { OAuthEndpoints } from './hosted/oauth.ts';
import { linkedUser, newSub } from './identity-links.ts';
import type { AwsLambdaService, AwsTriggers } from './triggers.ts';

/** A pool's OIDC identity provider, as the pool's IdP configuration names it. */
export interface OidcProvider {
  userPoolId: string;
  /** The provider's name in the pool (`identity_provider=`, the `<name>_` of its users' user names). */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
}

export interface FederationServices {
  ctx: Context;
  cognito: CognitoService;
  triggers: AwsTriggers;
  lambda: AwsLambdaService;
  tokenGenerator: TokenGenerator;
  oauth: () => OAuthEndpoints;
  now: () => number;
  /** Cognito's own base URL: the provider sends people back to `<base>/oauth2/idpresponse`. */
  baseUrl: () => string;
}

/** A trip to the provider in progress, by its `state`. */
interface Trip {
  provider: OidcProvider;
  request: AuthorizationRequest;
  verifier: string;
  nonce: string;
  expiresAt: number;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

// Cognito's federation session lasts as long as its authentication session.
const TRIP_TTL_MS = 3 * 60_000;
const CALLBACK = '/oauth2/idpresponse';

export class Federation {
  readonly #trips = new Map<string, Trip>();
  readonly #discovery = new Map<string, Promise<Discovery>>();

  constructor(
    private readonly services: FederationServices,
    private readonly providers: readonly OidcProvider[],
  ) {}

  /** The login page's step for each provider: off to the provider, with PKCE, a nonce and a state. */
  steps(): Record<string, IdentityProviderStep> {
    return Object.fromEntries(
      this.providers.map((p) => [p.name, (_req, res, found) => this.start(res, p, found)] as const),
    );
  }

  /** Answers /oauth2/idpresponse; false for any other request. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== CALLBACK) return false;
    const state = url.searchParams.get('state') ?? '';
    const trip = this.#trips.get(state);
    this.#trips.delete(state);
    if (!trip || trip.expiresAt <= this.services.now()) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Your sign-in has expired. Please go back to the application and sign in again.');
      return true;
    }
    const { request } = trip;
    const fail = (error: string, description: string) =>
      redirect(res, errorRedirect(request.redirectUri, error, request.state, description));
    const providerError = url.searchParams.get('error');
    if (providerError) {
      const description = url.searchParams.get('error_description') ?? providerError;
      fail(providerError === 'access_denied' ? 'access_denied' : 'invalid_request', description);
      return true;
    }
    try {
      const claims = await this.exchange(trip, url.searchParams.get('code') ?? '');
      await this.signIn(res, trip, claims);
    } catch (error) {
      // What Cognito does with a refusal (a trigger's error, a disabled user): the application is told at its
      // redirect URI, with Cognito's message as the description.
      if (error instanceof CognitoError) fail('invalid_request', error.message);
      else {
        this.services.ctx.logger.error({ err: error }, 'federated sign-in failed');
        fail('server_error', 'The identity provider’s answer could not be used');
      }
    }
    return true;
  }

  private async start(res: ServerResponse, provider: OidcProvider, found: Authorization): Promise<void> {
    if (provider.userPoolId !== found.request.userPoolId) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Login option ${provider.name} is not available for this application`);
      return;
    }
    const discovery = await this.discover(provider);
    const now = this.services.now();
    for (const [state, trip] of this.#trips) if (trip.expiresAt <= now) this.#trips.delete(state);
    const state = randomId();
    const trip: Trip = {
      provider,
      request: found.request,
      verifier: randomId(),
      nonce: randomId(),
      expiresAt: now + TRIP_TTL_MS,
    };
    this.#trips.set(state, trip);
    const to = new URL(discovery.authorization_endpoint);
    to.search = new URLSearchParams({
      client_id: provider.clientId,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: this.services.baseUrl() + CALLBACK,
      state,
      nonce: trip.nonce,
      code_challenge: createHash('sha256').update(trip.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    redirect(res, to.toString());
  }

  /** The code for the provider's ID token, verified (issuer, audience, signature, nonce): its claims. */
  private async exchange(trip: Trip, code: string): Promise<Record<string, unknown>> {
    const { provider } = trip;
    const discovery = await this.discover(provider);
    const answer = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(provider.clientId)}:${encodeURIComponent(provider.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.services.baseUrl() + CALLBACK,
        code_verifier: trip.verifier,
      }),
    });
    const body = (await answer.json()) as { id_token?: string; error?: string };
    if (!answer.ok || !body.id_token)
      throw new Error(`token endpoint answered ${answer.status} ${body.error ?? ''}`);
    const { payload } = await jwtVerify(body.id_token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: provider.issuer,
      audience: provider.clientId,
    });
    if (payload.nonce !== trip.nonce) throw new Error('the ID token’s nonce is not this sign-in’s');
    if (typeof payload.sub !== 'string' || !payload.sub) throw new Error('the ID token names no subject');
    return payload;
  }

  private async signIn(res: ServerResponse, trip: Trip, claims: Record<string, unknown>): Promise<void> {
    const { ctx, cognito } = this.services;
    const { provider, request } = trip;
    const pool = await cognito.getUserPool(ctx, provider.userPoolId);
    const client = await cognito.getAppClient(ctx, request.clientId);
    if (!client) throw new Error('the app client is gone');
    const subject = claims.sub as string;
    const userName = `${provider.name}_${subject}`;
    const clientMetadata = undefined;

    let user =
      (await linkedUser(ctx, pool, provider.name, subject)) ?? (await pool.getUserByUsername(ctx, userName));
    if (user) {
      // A later sign-in: as the linked login (or the provider's own user), through the authentication triggers.
      await this.services.lambda.preAuthentication(ctx, {
        clientId: request.clientId,
        clientMetadata,
        userPoolId: pool.options.Id,
        username: user.Username,
        eventUserName: userName,
        user,
        reportUserNotFound: false,
      });
      if (!user.Enabled) throw new CognitoError('NotAuthorizedException', DISABLED);
      user = await this.withMappedAttributes(ctx, pool, user, claims);
      if (this.services.triggers.enabled('PostAuthentication')) {
        await this.services.triggers.postAuthentication(ctx, {
          clientId: request.clientId,
          clientMetadata,
          source: 'PostAuthentication_Authentication',
          userAttributes: user.Attributes,
          username: userName,
          userPoolId: pool.options.Id,
        });
      }
    } else {
      user = await this.firstSignIn(ctx, pool, request.clientId, userName, claims);
    }
    const groups = await pool.listUserGroupMembership(ctx, user);
    const tokens = await this.services.tokenGenerator.generate(
      ctx,
      user,
      groups,
      client,
      clientMetadata,
      'HostedAuth',
    );
    await pool.storeRefreshToken(ctx, tokens.RefreshToken, user);
    this.services.oauth().complete(res, request, user.Username, {
      IdToken: tokens.IdToken,
      AccessToken: tokens.AccessToken,
      RefreshToken: tokens.RefreshToken,
      ExpiresIn: 3600,
    });
  }

  /**
   * A first sign-in: PreSignUp_ExternalProvider may link the identity to an existing user (AdminLinkProviderForUser),
   * who then signs in; otherwise Cognito creates the provider's own user. PostConfirmation follows either way.
   */
  private async firstSignIn(
    ctx: Context,
    pool: UserPoolService,
    clientId: string,
    userName: string,
    claims: Record<string, unknown>,
  ): Promise<User> {
    const { triggers } = this.services;
    const mapped = mappedAttributes(claims);
    const [provider, subject] = [
      userName.slice(0, userName.indexOf('_')),
      userName.slice(userName.indexOf('_') + 1),
    ];
    if (triggers.enabled('PreSignUp')) {
      await triggers.preSignUp(ctx, {
        clientId,
        clientMetadata: undefined,
        source: 'PreSignUp_ExternalProvider',
        userAttributes: [
          ...Object.entries(mapped).map(([Name, Value]) => ({ Name, Value })),
          { Name: 'cognito:email_alias', Value: '' },
          { Name: 'cognito:phone_number_alias', Value: '' },
        ],
        username: userName,
        userPoolId: pool.options.Id,
        validationData: undefined,
      });
    }
    const now = new Date(this.services.now());
    let user = await linkedUser(ctx, pool, provider, subject);
    if (!user) {
      user = {
        Username: userName,
        Attributes: [
          { Name: 'sub', Value: newSub() },
          ...Object.entries(mapped).map(([Name, Value]) => ({ Name, Value })),
          {
            Name: 'identities',
            Value: JSON.stringify([
              {
                userId: subject,
                providerName: provider,
                providerType: 'OIDC',
                issuer: null,
                primary: true,
                dateCreated: now.getTime(),
              },
            ]),
          },
        ],
        Enabled: true,
        UserStatus: 'EXTERNAL_PROVIDER',
        UserCreateDate: now,
        UserLastModifiedDate: now,
        Password: '',
        RefreshTokens: [],
      } as User;
      await pool.saveUser(ctx, user);
    }
    if (!user.Enabled) throw new CognitoError('NotAuthorizedException', DISABLED);
    if (triggers.enabled('PostConfirmation')) {
      await triggers.postConfirmation(ctx, {
        clientId,
        clientMetadata: undefined,
        source: 'PostConfirmation_ConfirmSignUp',
        userAttributes: user.Attributes,
        username: userName,
        userPoolId: pool.options.Id,
      });
    }
    return user;
  }

  /** A provider's own user gets the provider's latest values at each sign-in; a linked login keeps its own. */
  private async withMappedAttributes(
    ctx: Context,
    pool: UserPoolService,
    user: User,
    claims: Record<string, unknown>,
  ) {
    if (user.UserStatus !== 'EXTERNAL_PROVIDER') return user;
    const mapped = mappedAttributes(claims);
    const kept = user.Attributes.filter((a) => !(a.Name in mapped));
    const next = {
      ...user,
      Attributes: [...kept, ...Object.entries(mapped).map(([Name, Value]) => ({ Name, Value }))],
    };
    await pool.saveUser(ctx, next);
    return next;
  }

  private discover(provider: OidcProvider): Promise<Discovery> {
    let found = this.#discovery.get(provider.issuer);
    if (!found) {
      found = fetch(`${provider.issuer}/.well-known/openid-configuration`).then(async (r) => {
        if (!r.ok) throw new Error(`discovery of ${provider.issuer} answered ${r.status}`);
        return (await r.json()) as Discovery;
      });
      found.catch(() => this.#discovery.delete(provider.issuer));
      this.#discovery.set(provider.issuer, found);
    }
    return found;
  }
}

/** The pool's attribute mapping of the deployed provider (lib/tenant-pool.ts): email, given and family name. */
function mappedAttributes(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [attribute, claim] of [
    ['email', 'email'],
    ['given_name', 'given_name'],
    ['family_name', 'family_name'],
  ] as const) {
    const value = claims[claim];
    if (typeof value === 'string' && value) out[attribute] = value;
  }
  return out;
}
