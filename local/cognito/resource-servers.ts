// Resource servers and their custom scopes, which cognito-local 5.3.0 has none of: each offline pool's are
// configured (as its tenant stack declares them), and app clients are held to them as AWS holds them.
import { randomBytes } from 'node:crypto';
import { CognitoError, InvalidParameterError } from 'cognito-local/lib/errors.js';

export interface ResourceServer {
  /** e.g. `gatehouse`: its scopes are named `<identifier>/<scope>`. */
  identifier: string;
  name: string;
  scopes: readonly string[];
}

/** The scopes Cognito itself defines, allowed on any app client (not in a client-credentials grant). */
const STANDARD_SCOPES = new Set(['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']);

/** `identifier/scope` for every scope of the pool's resource servers. */
export function customScopes(servers: readonly ResourceServer[]): Set<string> {
  return new Set(servers.flatMap((s) => s.scopes.map((scope) => `${s.identifier}/${scope}`)));
}

/** The OAuth settings of a CreateUserPoolClient (or UpdateUserPoolClient) request, as AWS checks them. */
export interface AppClientOAuth {
  GenerateSecret?: boolean;
  AllowedOAuthFlows?: string[];
  AllowedOAuthScopes?: string[];
  AllowedOAuthFlowsUserPoolClient?: boolean;
}

/**
 * Refuses what AWS refuses: a scope no resource server of the pool defines (ScopeDoesNotExistException), and
 * the client-credentials flow on a client without a secret or beside the code or implicit flow
 * (InvalidOAuthFlowException).
 */
export function checkAppClientOAuth(req: AppClientOAuth, servers: readonly ResourceServer[]): void {
  const custom = customScopes(servers);
  for (const scope of req.AllowedOAuthScopes ?? []) {
    if (!STANDARD_SCOPES.has(scope) && !custom.has(scope)) {
      throw new CognitoError('ScopeDoesNotExistException', `Invalid scope requested: ${scope}`);
    }
  }
  const flows = req.AllowedOAuthFlows ?? [];
  if (
    flows.length > 0 &&
    req.AllowedOAuthFlowsUserPoolClient &&
    (req.AllowedOAuthScopes ?? []).length === 0
  ) {
    throw new InvalidParameterError('AllowedOAuthScopes are required when OAuth flows are allowed.');
  }
  if (flows.includes('client_credentials')) {
    if (!req.GenerateSecret) {
      throw new CognitoError(
        'InvalidOAuthFlowException',
        'client_credentials flow can not be selected if client does not have a client secret.',
      );
    }
    if (flows.some((f) => f !== 'client_credentials')) {
      throw new CognitoError(
        'InvalidOAuthFlowException',
        'client_credentials flow can not be selected along with code flow or implicit flow.',
      );
    }
  }
}

/** A client secret as long as AWS's (51 characters of letters and digits); cognito-local makes a 25-character one. */
export function clientSecret(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(51), (b) => alphabet[b % alphabet.length]).join('');
}
