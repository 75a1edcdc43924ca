// Sign-in through the tenant's login page: authorization code with PKCE (oauth4webapi), tokens kept in this
// tab's memory only. What must survive the trip to the login page (the PKCE verifier, state, nonce and
// where to come back to) waits in sessionStorage and is removed on the way back; tokens never touch storage.
import * as oauth from 'oauth4webapi';
import type { TenantLogin } from '#console/app/config.ts';

export interface Session {
  tenant: string;
  idToken: string;
  refreshToken?: string;
  /** Epoch ms after which the ID token is no longer accepted. */
  expiresAt: number;
  claims: IdClaims;
}

export interface IdClaims {
  sub: string;
  email?: string;
  name: string;
  userId?: string;
  permissions: Set<string>;
}

interface PendingSignIn {
  tenant: string;
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

const PENDING = 'gatehouse:pending-sign-in';
const REFRESH_MARGIN_MS = 60_000;

export const redirectUri = () => `${window.location.origin}/callback`;

const insecure = (url: string) => ({ [oauth.allowInsecureRequests]: new URL(url).protocol === 'http:' });
const servers = new Map<string, Promise<oauth.AuthorizationServer>>();

/** The tenant's login endpoints, from its issuer's discovery document (read once per tab). */
export function authorizationServer(tenant: TenantLogin): Promise<oauth.AuthorizationServer> {
  let server = servers.get(tenant.issuer);
  if (!server) {
    const issuer = new URL(tenant.issuer);
    server = oauth
      .discoveryRequest(issuer, { algorithm: 'oidc', ...insecure(tenant.issuer) })
      .then((response) => oauth.processDiscoveryResponse(issuer, response));
    server.catch(() => servers.delete(tenant.issuer));
    servers.set(tenant.issuer, server);
  }
  return server;
}

/** Leaves for the tenant's login page; it comes back to /callback. */
export async function beginSignIn(tenant: TenantLogin, returnTo: string): Promise<void> {
  const as = await authorizationServer(tenant);
  const pending: PendingSignIn = {
    tenant: tenant.id,
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo,
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint as string);
  url.search = new URLSearchParams({
    client_id: tenant.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.href);
}

/** The tenant a pending sign-in is for, if this page load is its return. */
export function pendingTenant(): string | undefined {
  return readPending()?.tenant;
}

/** Back from the login page: the code exchanged for tokens (PKCE), the ID token checked. */
export async function completeSignIn(
  tenants: TenantLogin[],
  currentUrl: URL,
): Promise<{ session: Session; returnTo: string }> {
  const pending = readPending();
  sessionStorage.removeItem(PENDING);
  if (!pending) throw new Error('No sign-in was started in this tab. Sign in again.');
  const tenant = tenants.find((t) => t.id === pending.tenant);
  if (!tenant) throw new Error(`Unknown tenant ${pending.tenant}.`);
  const as = await authorizationServer(tenant);
  const client: oauth.Client = { client_id: tenant.clientId };
  const params = oauth.validateAuthResponse(as, client, currentUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    insecure(tenant.issuer),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  return { session: toSession(tenant.id, result), returnTo: pending.returnTo };
}

/** A fresh ID token from the refresh token, when the current one is about to expire. */
export async function refreshed(tenant: TenantLogin, session: Session): Promise<Session> {
  if (Date.now() < session.expiresAt - REFRESH_MARGIN_MS || !session.refreshToken) return session;
  const as = await authorizationServer(tenant);
  const client: oauth.Client = { client_id: tenant.clientId };
  const response = await oauth.refreshTokenGrantRequest(
    as,
    client,
    oauth.None(),
    session.refreshToken,
    insecure(tenant.issuer),
  );
  const result = await oauth.processRefreshTokenResponse(as, client, response);
  const next = toSession(tenant.id, result);
  return { ...next, refreshToken: next.refreshToken ?? session.refreshToken };
}

/** Sign-out: the refresh token revoked (and with it the tokens it issued), then the login page's logout. */
export async function signOut(tenant: TenantLogin, session: Session | undefined): Promise<void> {
  const as = await authorizationServer(tenant);
  if (session?.refreshToken) {
    const client: oauth.Client = { client_id: tenant.clientId };
    const revocation = as.revocation_endpoint ?? new URL('/oauth2/revoke', as.token_endpoint).href;
    const response = await oauth.revocationRequest(
      { ...as, revocation_endpoint: revocation },
      client,
      oauth.None(),
      session.refreshToken,
      { ...insecure(tenant.issuer), additionalParameters: { token_type_hint: 'refresh_token' } },
    );
    await oauth.processRevocationResponse(response);
  }
  // Cognito's logout endpoint ends the login page's own session, then returns to a registered logout URL.
  const logout = new URL('/logout', as.authorization_endpoint);
  logout.search = new URLSearchParams({
    client_id: tenant.clientId,
    logout_uri: `${window.location.origin}/`,
  }).toString();
  window.location.assign(logout.href);
}

function toSession(tenant: string, result: oauth.TokenEndpointResponse): Session {
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (!claims || !result.id_token) throw new Error('The login page returned no ID token.');
  const permissions =
    typeof claims['gatehouse:permissions'] === 'string' ? claims['gatehouse:permissions'] : '';
  const names = [claims.given_name, claims.family_name].filter((n) => typeof n === 'string');
  return {
    tenant,
    idToken: result.id_token,
    ...(result.refresh_token ? { refreshToken: result.refresh_token } : {}),
    expiresAt: claims.exp * 1000,
    claims: {
      sub: claims.sub,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      name: names.length > 0 ? names.join(' ') : typeof claims.email === 'string' ? claims.email : claims.sub,
      ...(typeof claims['gatehouse:user'] === 'string' ? { userId: claims['gatehouse:user'] } : {}),
      permissions: new Set(permissions.split(' ').filter(Boolean)),
    },
  };
}

function readPending(): PendingSignIn | undefined {
  const raw = sessionStorage.getItem(PENDING);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PendingSignIn;
  } catch {
    return undefined;
  }
}
