// Cognito's OAuth 2.0 / OpenID Connect endpoints, offline: authorize, token, userInfo, revoke, logout, discovery
// and JWKS. Sign-in itself is the login pages' (login-pages.ts); they hand a signed-in user to `complete`.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticationResultType } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoError } from 'cognito-local/lib/errors.js';
import type { CognitoService } from 'cognito-local/lib/services/cognitoService.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { TokenGenerator } from 'cognito-local/lib/services/tokenGenerator.js';
import { attributesToRecord, type User } from 'cognito-local/lib/services/userPoolService.js';
import { customScopes, type ResourceServer } from '../resource-servers.ts';
import { type AuthorizationRequest, authorize, errorRedirect } from './authorization.ts';
import { cookie, cookies, randomId, readForm, redirect, sameSecret, sendJson } from './http.ts';
import { decodeJwt, JWKS, resign, signJwt, verifiedClaims } from './jwt.ts';

/** A Cognito API call through the parity layer, so every check and trigger of the API applies here too. */
export type CognitoCall = <T = Record<string, unknown>>(target: string, body: object) => Promise<T>;

export interface OAuthServices {
  ctx: Context;
  cognito: CognitoService;
  call: CognitoCall;
  tokenGenerator: TokenGenerator;
  now: () => number;
  /** The base URL (scheme, host, port) the endpoints are served at. */
  baseUrl: () => string;
  /** A pool's resource servers: the custom scopes a client-credentials grant may give. */
  resourceServers: (userPoolId: string) => readonly ResourceServer[];
}

/** A page that renders an error (client or redirect URI not to be trusted). */
export type ErrorPage = (res: ServerResponse, status: number, message: string) => void;

/** The login session (Cognito's `cognito` cookie): later authorizations of the same pool skip the password. */
interface LoginSession {
  userPoolId: string;
  username: string;
  expiresAt: number;
}

interface IssuedCode {
  request: AuthorizationRequest;
  tokens: { id: string; access: string; refresh: string; expiresIn: number };
  expiresAt: number;
}

export const SESSION_COOKIE = 'cognito';
// Cognito's login session lasts an hour; its authorization codes five minutes.
const SESSION_TTL_MS = 60 * 60_000;
const CODE_TTL_MS = 5 * 60_000;

export class OAuthEndpoints {
  readonly #sessions = new Map<string, LoginSession>();
  readonly #codes = new Map<string, IssuedCode>();

  constructor(
    private readonly services: OAuthServices,
    private readonly errorPage: ErrorPage,
  ) {}

  /** Answers the request if it is one of these endpoints; false leaves it to the next handler. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const { pathname } = url;
    const pool = /^\/([\w-]+_[0-9a-zA-Z]+)\/\.well-known\/(openid-configuration|jwks\.json)$/.exec(pathname);
    if (req.method === 'GET' && pool?.[1]) {
      await this.wellKnown(res, pool[1], pool[2] as string);
      return true;
    }
    switch (`${req.method} ${pathname}`) {
      case 'GET /oauth2/authorize':
        await this.authorizeEndpoint(req, res, url.searchParams);
        return true;
      case 'POST /oauth2/token':
        await this.token(req, res);
        return true;
      case 'GET /oauth2/userInfo':
      case 'POST /oauth2/userInfo':
        await this.userInfo(req, res);
        return true;
      case 'POST /oauth2/revoke':
        await this.revoke(req, res);
        return true;
      case 'GET /logout':
        await this.logout(req, res, url.searchParams);
        return true;
      default:
        return false;
    }
  }

  /**
   * A user has signed in on the login page (tokens from the Cognito API, triggers run): the login session starts,
   * and the client gets a single-use code at its redirect URI.
   */
  complete(
    res: ServerResponse,
    request: AuthorizationRequest,
    username: string,
    result: AuthenticationResultType,
  ) {
    const { IdToken, AccessToken, RefreshToken, ExpiresIn } = result;
    if (!IdToken || !AccessToken || !RefreshToken) throw new Error('sign-in gave no tokens');
    const sessionId = randomId();
    this.#sessions.set(sessionId, {
      userPoolId: request.userPoolId,
      // The user's own name (the sub) from the token, not the email as typed, in whatever case.
      username: tokenUsername(AccessToken) ?? username,
      expiresAt: this.services.now() + SESSION_TTL_MS,
    });
    const tokens = { id: IdToken, access: AccessToken, refresh: RefreshToken, expiresIn: ExpiresIn ?? 3600 };
    redirect(res, this.issueCode(request, tokens), [
      cookie(SESSION_COOKIE, sessionId, SESSION_TTL_MS / 1000),
    ]);
  }

  /** The login session of this request for `userPoolId`, if one is live. */
  session(req: IncomingMessage, userPoolId: string): LoginSession | undefined {
    const id = cookies(req)[SESSION_COOKIE];
    const session = id ? this.#sessions.get(id) : undefined;
    if (!session || session.userPoolId !== userPoolId) return undefined;
    if (session.expiresAt <= this.services.now()) {
      if (id) this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  private issueCode(request: AuthorizationRequest, tokens: IssuedCode['tokens']): string {
    const now = this.services.now();
    for (const [code, issued] of this.#codes) if (issued.expiresAt <= now) this.#codes.delete(code);
    const code = randomId();
    this.#codes.set(code, {
      request,
      tokens: this.withRequestClaims(request, tokens),
      expiresAt: now + CODE_TTL_MS,
    });
    const url = new URL(request.redirectUri);
    url.searchParams.set('code', code);
    if (request.state) url.searchParams.set('state', request.state);
    return url.toString();
  }

  /** The ID token carries the request's nonce; the access token its granted scopes, as Cognito's hosted login gives them. */
  private withRequestClaims(
    request: AuthorizationRequest,
    tokens: IssuedCode['tokens'],
  ): IssuedCode['tokens'] {
    return {
      ...tokens,
      id: request.nonce ? resign(tokens.id, { nonce: request.nonce }) : tokens.id,
      access: resign(tokens.access, { scope: request.scopes.join(' ') }),
    };
  }

  private async authorizeEndpoint(req: IncomingMessage, res: ServerResponse, params: URLSearchParams) {
    const { ctx } = this.services;
    const found = await authorize(ctx, this.services.cognito, params);
    if ('kind' in found) {
      if (found.kind === 'page') return this.errorPage(res, 400, found.message);
      return redirect(res, found.location);
    }
    const { request, client, pool } = found;
    const session = request.prompt === 'login' ? undefined : this.session(req, request.userPoolId);
    if (session) {
      // Signed in within the hour: Cognito issues the code without asking again (no authentication triggers;
      // PreTokenGeneration runs, as tokens are generated), unless the user may no longer sign in.
      const user = await pool.getUserByUsername(ctx, session.username);
      if (user?.Enabled && user.UserStatus === 'CONFIRMED') {
        const groups = await pool.listUserGroupMembership(ctx, user);
        const t = await this.services.tokenGenerator.generate(
          ctx,
          user,
          groups,
          client,
          undefined,
          'HostedAuth',
        );
        await pool.storeRefreshToken(ctx, t.RefreshToken, user);
        const tokens = { id: t.IdToken, access: t.AccessToken, refresh: t.RefreshToken, expiresIn: 3600 };
        return redirect(res, this.issueCode(request, tokens));
      }
    }
    if (request.prompt === 'none') {
      return redirect(res, errorRedirect(request.redirectUri, 'login_required', request.state));
    }
    redirect(res, `/login?${request.query}`);
  }

  private async token(req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req);
    if (!form)
      return tokenError(res, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    const clientId = form.get('client_id') ?? basicClientId(req);
    switch (form.get('grant_type')) {
      case 'client_credentials':
        return this.clientCredentialsGrant(req, res, form);
      case 'authorization_code':
        return this.codeGrant(res, form, clientId);
      case 'refresh_token':
        return this.refreshGrant(res, form, clientId);
      case null:
        return tokenError(res, 'invalid_request', 'grant_type is required');
      default:
        return tokenError(res, 'unsupported_grant_type');
    }
  }

  private codeGrant(res: ServerResponse, form: URLSearchParams, clientId: string | null) {
    const code = form.get('code') ?? '';
    const issued = this.#codes.get(code);
    // Single use: gone at the first attempt, whether it succeeds or not.
    this.#codes.delete(code);
    if (!issued || issued.expiresAt <= this.services.now()) return tokenError(res, 'invalid_grant');
    const { request, tokens } = issued;
    if (clientId !== request.clientId) return tokenError(res, 'invalid_client');
    if (form.get('redirect_uri') !== request.redirectUri) return tokenError(res, 'invalid_grant');
    if (request.codeChallenge) {
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!sameSecret(challenge, request.codeChallenge)) return tokenError(res, 'invalid_grant');
    }
    sendJson(res, 200, {
      id_token: tokens.id,
      access_token: tokens.access,
      refresh_token: tokens.refresh,
      expires_in: tokens.expiresIn,
      token_type: 'Bearer',
    });
  }

  /**
   * Machine-to-machine: a confidential client authenticates with its secret, by HTTP Basic (client_secret_basic)
   * or in the form (client_secret_post), and gets an access token alone, for the custom scopes it asked for
   * (all those it is allowed when it names none), as Cognito's token endpoint issues it.
   */
  private async clientCredentialsGrant(req: IncomingMessage, res: ServerResponse, form: URLSearchParams) {
    const basic = basicCredentials(req);
    const posted = { id: form.get('client_id'), secret: form.get('client_secret') };
    // RFC 6749 §2.3: one authentication method per request.
    if (basic && posted.secret !== null) {
      return tokenError(res, 'invalid_request', 'Use one client authentication method');
    }
    if (basic && posted.id !== null && posted.id !== basic.id) return tokenError(res, 'invalid_client');
    const clientId = basic?.id ?? posted.id;
    const secret = basic?.secret ?? posted.secret;
    const { ctx, cognito } = this.services;
    const client = clientId ? await cognito.getAppClient(ctx, clientId).catch(() => null) : null;
    if (!client || !sameSecret(secret, client.ClientSecret)) return tokenError(res, 'invalid_client');
    if (
      !client.AllowedOAuthFlowsUserPoolClient ||
      !client.AllowedOAuthFlows?.includes('client_credentials')
    ) {
      return tokenError(res, 'unauthorized_client');
    }
    // Only custom scopes (a resource server's) are granted to a machine; openid and the like need a user.
    const custom = customScopes(this.services.resourceServers(client.UserPoolId));
    const allowed = (client.AllowedOAuthScopes ?? []).filter((scope) => custom.has(scope));
    const asked = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const scopes = asked.length === 0 ? allowed : asked;
    if (scopes.length === 0 || scopes.some((scope) => !allowed.includes(scope))) {
      return tokenError(res, 'invalid_scope');
    }
    const now = Math.floor(this.services.now() / 1000);
    const expiresIn = accessTokenSeconds(client.AccessTokenValidity, client.TokenValidityUnits?.AccessToken);
    const token = signJwt({
      sub: client.ClientId,
      token_use: 'access',
      scope: [...new Set(scopes)].join(' '),
      auth_time: now,
      iss: `${this.services.baseUrl()}/${client.UserPoolId}`,
      exp: now + expiresIn,
      iat: now,
      version: 2,
      jti: randomUUID(),
      client_id: client.ClientId,
    });
    sendJson(
      res,
      200,
      { access_token: token, expires_in: expiresIn, token_type: 'Bearer' },
      {
        'Cache-Control': 'no-store',
      },
    );
  }

  private async refreshGrant(res: ServerResponse, form: URLSearchParams, clientId: string | null) {
    const refreshToken = form.get('refresh_token');
    if (!clientId || !refreshToken) return tokenError(res, 'invalid_request');
    try {
      const { AuthenticationResult: result } = await this.services.call<{
        AuthenticationResult?: AuthenticationResultType;
      }>('InitiateAuth', {
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
      sendJson(res, 200, {
        id_token: result?.IdToken,
        access_token: result?.AccessToken,
        expires_in: result?.ExpiresIn ?? 3600,
        token_type: 'Bearer',
      });
    } catch (error) {
      if (error instanceof CognitoError) return tokenError(res, 'invalid_grant');
      throw error;
    }
  }

  /** OpenID userInfo: the user's attributes, for an access token with the openid scope. */
  private async userInfo(req: IncomingMessage, res: ServerResponse) {
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const claims = token ? verifiedClaims(token, this.services.now()) : undefined;
    const scopes = typeof claims?.scope === 'string' ? claims.scope.split(' ') : [];
    if (!token || claims?.token_use !== 'access' || !scopes.includes('openid')) return invalidToken(res);
    try {
      const user = await this.services.call<{ Username: string; UserAttributes: User['Attributes'] }>(
        'GetUser',
        {
          AccessToken: token,
        },
      );
      const attributes = attributesToRecord(user.UserAttributes);
      const claimsOut: Record<string, unknown> = { ...attributes, username: user.Username };
      if ('email_verified' in attributes) claimsOut.email_verified = attributes.email_verified === 'true';
      sendJson(res, 200, claimsOut);
    } catch (error) {
      if (error instanceof CognitoError) return invalidToken(res);
      throw error;
    }
  }

  /** Revokes a refresh token (and with it, in Cognito, the tokens it issued). */
  private async revoke(req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req);
    const token = form?.get('token');
    const clientId = form?.get('client_id') ?? basicClientId(req);
    if (!form || !token || !clientId) return tokenError(res, 'invalid_request');
    try {
      await this.services.call('RevokeToken', { Token: token, ClientId: clientId });
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error;
      // RFC 7009: an unknown or already revoked token is not an error for the client.
      if (error.code !== 'NotAuthorizedException') return tokenError(res, 'invalid_request');
    }
    res.writeHead(200, { 'Cache-Control': 'no-store' });
    res.end();
  }

  /**
   * Ends the login session, then sends the browser to `logout_uri` (one the client registered), or back to the
   * login page for `redirect_uri` and `response_type`.
   */
  private async logout(req: IncomingMessage, res: ServerResponse, params: URLSearchParams) {
    const clientId = params.get('client_id');
    const client = clientId
      ? await this.services.cognito.getAppClient(this.services.ctx, clientId).catch(() => null)
      : null;
    if (!client) return this.errorPage(res, 400, 'Invalid client_id');
    const logoutUri = params.get('logout_uri');
    let location: string;
    if (logoutUri) {
      if (!(client.LogoutURLs ?? []).includes(logoutUri))
        return this.errorPage(res, 400, 'Invalid logout_uri');
      location = logoutUri;
    } else {
      const found = await authorize(this.services.ctx, this.services.cognito, params);
      if ('kind' in found)
        return this.errorPage(res, 400, 'Required String parameter logout_uri is not present');
      location = `/login?${found.request.query}`;
    }
    const id = cookies(req)[SESSION_COOKIE];
    if (id) this.#sessions.delete(id);
    redirect(res, location, [cookie(SESSION_COOKIE, '', 0)]);
  }

  private async wellKnown(res: ServerResponse, userPoolId: string, document: string) {
    // Listed, not got: cognito-local's getUserPool would create a pool under any id it is asked for.
    const pools = await this.services.cognito.listUserPools(this.services.ctx);
    const known = pools.some((p) => p.Id === userPoolId);
    if (!known) return sendJson(res, 404, { message: `User pool ${userPoolId} does not exist.` });
    if (document === 'jwks.json') return sendJson(res, 200, JWKS, { 'Cache-Control': 'max-age=3600' });
    const base = this.services.baseUrl();
    const issuer = `${base}/${userPoolId}`;
    sendJson(res, 200, {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      userinfo_endpoint: `${base}/oauth2/userInfo`,
      revocation_endpoint: `${base}/oauth2/revoke`,
      end_session_endpoint: `${base}/logout`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      claims_supported: ['sub', 'email', 'email_verified', 'given_name', 'family_name', 'cognito:username'],
    });
  }
}

/** The user name a token was issued to, for pages that act on the signed-in user. */
export const tokenUsername = (token: string): string | undefined => {
  const claims = decodeJwt(token)?.payload;
  return typeof claims?.username === 'string' ? claims.username : undefined;
};

function tokenError(res: ServerResponse, error: string, description?: string) {
  sendJson(res, error === 'invalid_client' ? 401 : 400, {
    error,
    ...(description ? { error_description: description } : {}),
  });
}

function invalidToken(res: ServerResponse) {
  res.writeHead(401, {
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json',
    'WWW-Authenticate': 'Bearer error="invalid_token"',
  });
  res.end(JSON.stringify({ error: 'invalid_token', error_description: 'Access token is not valid' }));
}

/** A public client may still send its id as HTTP Basic credentials (with an empty secret). */
function basicClientId(req: IncomingMessage): string | null {
  return basicCredentials(req)?.id ?? null;
}

/** HTTP Basic client credentials: each part form-encoded, then `id:secret` in base64 (RFC 6749 §2.3.1). */
function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const basic = /^Basic (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const part = (text: string) => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  };
  const id = part(colon < 0 ? decoded : decoded.slice(0, colon));
  const secret = colon < 0 ? '' : part(decoded.slice(colon + 1));
  return id && secret !== undefined ? { id, secret } : undefined;
}

/** An app client's access-token lifetime in seconds (AWS's default: 60 minutes). */
function accessTokenSeconds(validity: number | undefined, unit: string | undefined): number {
  const seconds = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 }[unit ?? 'minutes'] ?? 60;
  return validity ? validity * seconds : 3600;
}
