// An OAuth authorization request as Cognito's /oauth2/authorize and /login take it: parsed, checked against the app
// client, and carried unchanged from page to page.
import type { AppClient } from 'cognito-local/lib/services/appClient.js';
import type { CognitoService } from 'cognito-local/lib/services/cognitoService.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { UserPoolService } from 'cognito-local/lib/services/userPoolService.js';

/** The parameters of an authorization request this Cognito understands (others are dropped, as Cognito does). */
export const AUTHORIZATION_PARAMETERS = [
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'identity_provider',
  'prompt',
] as const;
type Parameter = (typeof AUTHORIZATION_PARAMETERS)[number];

export interface AuthorizationRequest {
  clientId: string;
  userPoolId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  identityProvider?: string;
  prompt?: string;
  /** The request's own parameters, to put back into the next page's URL. */
  query: string;
}

export interface Authorization {
  request: AuthorizationRequest;
  client: AppClient;
  pool: UserPoolService;
}

/** Refused before the redirect URI is trusted: shown as an error page, never sent anywhere. */
export interface PageError {
  kind: 'page';
  message: string;
}
/** Refused once the redirect URI is known to be the client's: the client is told, as OAuth says. */
export interface RedirectError {
  kind: 'redirect';
  location: string;
}

const MAX_PARAMETER = 2048;

/** Parses and checks an authorization request; the redirect URI must equal one the client registered. */
export async function authorize(
  ctx: Context,
  cognito: CognitoService,
  params: URLSearchParams,
): Promise<Authorization | PageError | RedirectError> {
  const one = (name: Parameter) => {
    const values = params.getAll(name);
    return values.length === 1 && values[0] !== '' ? values[0] : undefined;
  };
  for (const name of AUTHORIZATION_PARAMETERS) {
    if (params.getAll(name).length > 1) return pageError(`Duplicate parameter ${name}`);
    if ((params.get(name)?.length ?? 0) > MAX_PARAMETER) return pageError(`Parameter ${name} is too long`);
  }
  const clientId = one('client_id');
  if (!clientId) return pageError('Required String parameter client_id is not present');
  const client = await cognito.getAppClient(ctx, clientId).catch(() => null);
  if (client?.AllowedOAuthFlowsUserPoolClient !== true) return pageError('Invalid client_id');
  const redirectUri = one('redirect_uri');
  if (!redirectUri) return pageError('Required String parameter redirect_uri is not present');
  if (!(client.CallbackURLs ?? []).includes(redirectUri)) return pageError('redirect_mismatch');

  const state = one('state');
  const fail = (error: string, description?: string): RedirectError => ({
    kind: 'redirect',
    location: errorRedirect(redirectUri, error, state, description),
  });
  if (one('response_type') !== 'code' || !(client.AllowedOAuthFlows ?? []).includes('code')) {
    return fail('unsupported_response_type');
  }
  const allowed = client.AllowedOAuthScopes ?? [];
  const scopes = one('scope')?.split(' ').filter(Boolean) ?? allowed;
  if (scopes.some((s) => !allowed.includes(s))) return fail('invalid_scope');
  const codeChallenge = one('code_challenge');
  const method = one('code_challenge_method');
  // Cognito takes PKCE with S256 only; a challenge without its method, or a method without a challenge, is refused.
  if (
    (codeChallenge || method) &&
    (method !== 'S256' || !codeChallenge || !/^[\w-]{43,128}$/.test(codeChallenge))
  ) {
    return fail('invalid_request', 'invalid code_challenge or code_challenge_method');
  }
  const identityProvider = one('identity_provider');
  if (identityProvider && !(client.SupportedIdentityProviders ?? []).includes(identityProvider)) {
    return fail('invalid_request', 'unsupported identity_provider');
  }

  const pool = await cognito.getUserPoolForClientId(ctx, clientId);
  const query = new URLSearchParams();
  for (const name of AUTHORIZATION_PARAMETERS) {
    const value = one(name);
    if (value !== undefined) query.set(name, value);
  }
  return {
    request: {
      clientId,
      userPoolId: pool.options.Id,
      redirectUri,
      scopes,
      ...(state ? { state } : {}),
      ...optional('nonce', one('nonce')),
      ...optional('codeChallenge', codeChallenge),
      ...optional('identityProvider', identityProvider),
      ...optional('prompt', one('prompt')),
      query: query.toString(),
    },
    client,
    pool,
  };
}

/** The client's redirect URI with an OAuth error (and the state it sent). */
export function errorRedirect(
  redirectUri: string,
  error: string,
  state?: string,
  description?: string,
): string {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  if (description) url.searchParams.set('error_description', description);
  if (state) url.searchParams.set('state', state);
  return url.toString();
}

const pageError = (message: string): PageError => ({ kind: 'page', message });

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
